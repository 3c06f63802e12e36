"""What every page test does on a phone: sign in, follow the header's links, check the width."""

PHONE_WIDTH = 390  # the `phone` fixture's viewport


def sign_in(page, server, user):
    """Sign in through the login form and land on the start page."""
    page.goto(server.url + "/login")
    page.fill("input[name=username]", user[0])
    page.fill("input[name=password]", user[1])
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")


def nav(page, text):
    """Follow a link of the header's navigation, as a thumb on a phone would."""
    link = page.locator("header nav").get_by_role("link", name=text, exact=True)
    if not link.is_visible():
        page.locator("header nav details.more summary").click()  # the rarer pages sit under "More"
    link.click()


def follow(page, name, role="link"):
    """Click the link (or button) named ``name`` and wait until the page it opens has loaded, so
    that what is read next is that page, not the one being left."""
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def assert_no_sideways_scroll(page):
    """The page fits the phone's width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, f"{page.url} scrolls sideways"
