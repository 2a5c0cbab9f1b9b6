# The attendance gaps read the position track (TrackFix, 0008) now; the thinned trace
# (PositionFix, 0007) was a second table of the same fixes, so it goes, with its rows.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('fieldapp', '0010_roadwork'),
    ]

    operations = [
        migrations.DeleteModel(
            name='PositionFix',
        ),
    ]
