"""The task API refuses completion data that is not exactly the form's fields (issue 13,
finding 3): 422 naming the field, and nothing of the step is written."""
import pytest

from engine.db.models import HumanTask

BENCH = "bench_two_user_tasks"


@pytest.fixture
def officer(api):
    return api("saksbehandler1")


def _first_task(officer) -> dict:
    response = officer.post("/api/v1/cases", json={"process": BENCH, "data": {}})
    assert response.status_code == 201, response.json
    return response.json["open_tasks"][0]


@pytest.mark.parametrize("extra", [{"lane_owners": {"saksbehandler": ["leder1"]}},
                                   {"deadline": "x"}, {"ukjent_felt": True}])
def test_a_completion_with_a_field_not_in_the_form_answers_422_naming_it(officer, engine_do,
                                                                          extra):
    task = _first_task(officer)
    response = officer.post(f"/api/v1/tasks/{task['id']}/complete",
                            json={"data": {"x": 1, **extra}})
    assert response.status_code == 422, response.get_data(as_text=True)
    [name] = extra
    assert response.json["errors"] == {name: f"Feltet «{name}» finnes ikke i skjemaet"}
    row = engine_do(lambda ctx: ctx.session.get(HumanTask, task["id"]))
    assert (row.status, row.version) == ("open", task["version"])


def test_the_same_completion_with_only_the_forms_fields_is_accepted(officer):
    task = _first_task(officer)
    response = officer.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"x": 1}})
    assert response.status_code == 200 and response.json["status"] == "completed"
