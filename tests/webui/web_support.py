"""Shared by the web tests: the people and their roles."""
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
