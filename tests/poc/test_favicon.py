"""/favicon.ico is served (browsers ask on every page): no 404 in the logs or the console."""

from django.contrib.staticfiles import finders


def test_favicon_is_served_from_the_vendored_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/img/favicon.ico")
    with open(finders.find("img/favicon.ico"), "rb") as handle:  # served by WhiteNoise as a static file
        assert handle.read(4) == b"\x00\x00\x01\x00"  # an ICO file
    login = client.get("/accounts/login/").content.decode()
    assert 'rel="icon" href="/static/img/favicon.ico"' in login
