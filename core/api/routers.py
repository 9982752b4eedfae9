from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """Every route answers with and without a trailing slash, so a POST is never redirected
    (the seed's front end calls ``/auth/login``; Django's APPEND_SLASH would break it)."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"
