"""Steps every browser test takes."""

from tests.factories import PASSWORD


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    """Logs in through the login page with the test password and waits for the home page."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
