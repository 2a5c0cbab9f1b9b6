"""REST routes of field operations, mounted under /api/v1/."""
from __future__ import annotations

from django.urls import path

from fieldapp import api

urlpatterns = [
    path("jobs/", api.JobListCreate.as_view(), name="api-jobs"),
    path("jobs/<int:job_id>/", api.JobDetail.as_view(), name="api-job"),
    path("jobs/<int:job_id>/candidates/", api.JobCandidates.as_view(), name="api-job-candidates"),
    path("jobs/<int:job_id>/dispatch/", api.JobDispatch.as_view(), name="api-job-dispatch"),
    path("jobs/<int:job_id>/cancel/", api.JobCancel.as_view(), name="api-job-cancel"),
    path("jobs/<int:job_id>/close/", api.JobClose.as_view(), name="api-job-close"),
    path("assignments/<int:assignment_id>/advance/", api.AssignmentAdvance.as_view(), name="api-assignment-advance"),
    path("assignments/<int:assignment_id>/withdraw/", api.AssignmentWithdraw.as_view(), name="api-assignment-withdraw"),
    path("me/", api.Me.as_view(), name="api-me"),
    path("me/duty/", api.MeDuty.as_view(), name="api-me-duty"),
    path("me/position/", api.MePosition.as_view(), name="api-me-position"),
    path("officers/", api.OfficerList.as_view(), name="api-officers"),
    path("figures/", api.Figures.as_view(), name="api-figures"),
]
