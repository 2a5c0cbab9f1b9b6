"""REST routes of field operations, mounted under /api/v1/."""
from __future__ import annotations

from django.urls import path

from fieldapp import api, figures_api, records_api, track_api
from fieldapp.notify import api as notify_api

urlpatterns = [
    path("jobs/", api.JobListCreateApi.as_view(), name="api-jobs"),
    path("jobs/found/", records_api.JobFoundApi.as_view(), name="api-jobs-found"),
    path("jobs/<int:job_id>/", api.JobDetailApi.as_view(), name="api-job"),
    path("jobs/<int:job_id>/quick-clearance/", records_api.QuickClearanceApi.as_view(), name="api-job-quick-clearance"),
    path(
        "jobs/<int:job_id>/quick-clearance/photos/", records_api.QuickClearancePhotoApi.as_view(),
        name="api-job-quick-clearance-photos",
    ),
    path("jobs/<int:job_id>/rescue/", records_api.RescueApi.as_view(), name="api-job-rescue"),
    path("jobs/<int:job_id>/rescue/photos/", records_api.RescuePhotoApi.as_view(), name="api-job-rescue-photos"),
    path(
        "record-photos/<int:photo_id>/<str:variant>/", records_api.RecordPhotoFileApi.as_view(),
        name="api-record-photo-file",
    ),
    path("me/records/", records_api.MeRecordsApi.as_view(), name="api-me-records"),
    path("jobs/<int:job_id>/candidates/", api.JobCandidatesApi.as_view(), name="api-job-candidates"),
    path("jobs/<int:job_id>/dispatch/", api.JobDispatchApi.as_view(), name="api-job-dispatch"),
    path("jobs/<int:job_id>/cancel/", api.JobCancelApi.as_view(), name="api-job-cancel"),
    path("jobs/<int:job_id>/close/", api.JobCloseApi.as_view(), name="api-job-close"),
    path("assignments/<int:assignment_id>/advance/", api.AssignmentAdvanceApi.as_view(), name="api-assignment-advance"),
    path("assignments/<int:assignment_id>/withdraw/", api.AssignmentWithdrawApi.as_view(), name="api-assignment-withdraw"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("me/duty/", api.MeDutyApi.as_view(), name="api-me-duty"),
    path("me/position/", api.MePositionApi.as_view(), name="api-me-position"),
    path("me/push-subscriptions/", notify_api.PushSubscriptionsApi.as_view(), name="api-me-push-subscriptions"),
    path("officers/", api.OfficerListApi.as_view(), name="api-officers"),
    path("officers/<int:officer_id>/track/", track_api.OfficerTrackApi.as_view(), name="api-officer-track"),
    path("figures/", figures_api.FiguresApi.as_view(), name="api-figures"),
]
