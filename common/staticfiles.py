"""Static files with hashed names, precompressed, cached for a year by browsers."""
from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    # The pages are plain ES modules that import each other by relative path.
    # Rewriting those imports to the hashed names lets every module be cached
    # as immutable; without it the imported modules would be revalidated.
    support_js_module_import_aggregation = True

    def url(self, name: str | None, force: bool = False) -> str:
        # Django links unhashed names while DEBUG is on. `make run` serves with
        # DEBUG on but from collected files, so link the hashed names anyway:
        # the pages then load as they will in production.
        return super().url(name, force=True)
