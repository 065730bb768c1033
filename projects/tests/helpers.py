def assert_error(response, status: int, message: str) -> dict:
    """The response is the API's error shape with this status and message."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "details"}
    assert body["error"] == message
    return body


def assert_field_error(response, field: str, message: str) -> None:
    """A 400 that names the field and says why."""
    body = assert_error(response, 400, f"Invalid input. {field}: {message}")
    assert body["details"] == {field: [message]}


def assert_query_error(response, field: str, message: str) -> None:
    """A 400 for a bad query parameter, naming it."""
    body = assert_error(response, 400, f"{field}: {message}")
    assert body["details"] == {field: [message]}
