"""The router every app registers its viewsets on."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework.routers import Route, SimpleRouter, escape_curly_brackets
from rest_framework.viewsets import ViewSetMixin

# Where a root action is routed: its url_path first, then the id for a detail action.
ROOT_ACTION_URLS = {
    False: r"^{url_path}{trailing_slash}$",
    True: r"^{url_path}/{lookup}{trailing_slash}$",
}


class OptionalSlashRouter(SimpleRouter):
    """Every route answers with and without a trailing slash, so a POST is never redirected
    (the seed's front end calls ``/auth/login``; Django's APPEND_SLASH would break it).

    The seed's front end also calls some actions at the site's root, the action before the id
    (``POST /analyze/{id}``, not ``/champions/{id}/analyze``). A viewset names those actions in
    ``root_actions`` and the router routes them there instead of under the viewset's prefix.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"

    def get_routes(self, viewset: type[ViewSetMixin]) -> list[Route]:
        routes = super().get_routes(viewset)
        root_actions = getattr(viewset, "root_actions", ())
        if not root_actions:
            return routes
        actions = {action.__name__: action for action in viewset.get_extra_actions()}
        if unknown := set(root_actions) - set(actions):
            raise ImproperlyConfigured(f"{viewset.__name__}.root_actions names no @action: {sorted(unknown)}")
        # A dynamic route is named after its action's url_name: find the root ones by name.
        at_root = {f"{{basename}}-{actions[name].url_name}": actions[name] for name in root_actions}
        return [
            route._replace(
                url=ROOT_ACTION_URLS[route.detail].replace(
                    "{url_path}", escape_curly_brackets(at_root[route.name].url_path)
                )
            )
            if route.name in at_root
            else route
            for route in routes
        ]
