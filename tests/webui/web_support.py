"""Shared by the web tests: the people and their roles, and a signed-in test client."""
import re

PASSWORD = "demo"
CASE_PROCESSES = ("ip_sak", "bench_two_user_tasks", "frist_test", "stafett")

#: username -> (roles, trained coordinator)
PEOPLE = {
    "saksbehandler1": (("saksbehandler",), False),
    "saksbehandler2": (("saksbehandler",), False),
    "leder1": (("leder",), False),
    "koordinerende1": (("koordinerende_enhet",), False),
    "koordinator1": (("koordinator",), True),
    "koordinator2": (("koordinator",), True),
    "admin1": (("admin",), False),
}
#: One user per role, for the authorization matrix.
ROLE_USERS = {"saksbehandler": "saksbehandler1", "leder": "leder1",
              "koordinerende_enhet": "koordinerende1", "koordinator": "koordinator1",
              "admin": "admin1"}


class Browser:
    """A Flask test client that signs in and sends the CSRF token with each form."""

    def __init__(self, app, base_url: str = "http://127.0.0.1"):
        self.app = app
        self.client = app.test_client()
        self.base_url = base_url
        self._token = None

    def get(self, url, **kwargs):
        response = self.client.get(url, base_url=self.base_url, **kwargs)
        self._remember_token(response)
        return response

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {}) if not hasattr(data, "getlist") else data
        if csrf:
            if self._token is None:
                self.get("/login")
            if hasattr(data, "getlist"):
                data.setdefault("csrf_token", self._token)
            else:
                data.setdefault("csrf_token", self._token)
        response = self.client.post(url, data=data, base_url=self.base_url, **kwargs)
        self._remember_token(response)
        return response

    def _remember_token(self, response):
        if response.mimetype == "text/html":
            found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
            if found:
                self._token = found.group(1)

    def login(self, username: str, password: str = PASSWORD):
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.headers["Location"] == "/inbox/"
        self._token = None
        self.get("/inbox/")
        return self


def all_routes(app) -> set[str]:
    """Every route of the app as "rule|METHOD" (static files, HEAD and OPTIONS left out): what
    the authorization and access matrices must each cover."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add(f"{rule.rule}|{method}")
    return found
