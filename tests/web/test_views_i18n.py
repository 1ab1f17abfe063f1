"""Pages speak Hindi and Gujarati: chosen by the browser, by the language cookie, or by the switcher,
which a signed-in person's profile remembers."""

from django.conf import settings
from django.test import Client

from saksham.people.models import User

LANG_COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_the_browser_language_picks_the_page_language(client, orgs):
    page = client.get("/login", HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert '<html lang="hi"' in page
    assert "साइन इन करें" in page and "पासवर्ड भूल गए?" in page and "पंजीकरण करें" in page
    assert "Forgot your password?" not in page

    page = client.get("/register", HTTP_ACCEPT_LANGUAGE="gu,en;q=0.5").content.decode()
    assert '<html lang="gu"' in page
    assert "નોંધણી કરો" in page and "પૂરું નામ" in page and "સત્તાવાર ઇમેઇલ" in page and "સંસ્થા" in page
    assert "Full name" not in page

    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in page and "Sign in" in page


def test_the_language_cookie_wins_over_the_browser(client, orgs):
    client.cookies[LANG_COOKIE] = "gu"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert '<html lang="gu"' in page
    assert "સાઇન ઇન કરો" in page and "અમારા તાલીમાર્થીઓ ક્યાં કાર્યરત છે" in page and "અભ્યાસક્રમો" in page
    # Plural form of the region count, and the names of the regions in their own script.
    assert "36 પ્રદેશો" in page and "ગુજરાત" in page and "बिहार" in page

    client.cookies[LANG_COOKIE] = "hi"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="gu").content.decode()
    assert "हमारे शिक्षार्थी कहाँ कार्यरत हैं" in page and "36 क्षेत्र" in page


def test_an_anonymous_visitor_switches_language(client, orgs):
    r = client.post("/language", {"language": "hi", "next": "/register"})
    assert r.status_code == 302 and r["Location"] == "/register"
    assert r.cookies[LANG_COOKIE].value == "hi"
    assert "पंजीकरण करें" in client.get("/register").content.decode()
    # An unknown language changes nothing; a foreign "next" is not followed.
    r = client.post("/language", {"language": "xx", "next": "https://evil.example/"})
    assert r["Location"] == "/" and LANG_COOKIE not in r.cookies
    assert client.get("/language").status_code == 405


def test_the_switcher_stores_the_choice_on_the_profile(client, people):
    ravi = people["bihar_learner"]
    client.force_login(ravi)
    assert "My profile" in client.get("/profile").content.decode()
    r = client.post("/language", {"language": "gu", "next": "/profile"}, follow=True)
    assert r.redirect_chain == [("/profile", 302)]
    page = r.content.decode()
    assert '<html lang="gu"' in page and "મારી પ્રોફાઇલ" in page and "સાઇન આઉટ કરો" in page
    assert User.objects.get(pk=ravi.pk).preferred_language == "gu"

    # The profile wins over the browser and the cookie, on this device and the next one.
    client.cookies.pop(LANG_COOKIE, None)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert '<html lang="gu"' in page and "સ્વાગત છે, Ravi" in page
    other_device = Client()
    other_device.force_login(User.objects.get(pk=ravi.pk))
    assert '<html lang="gu"' in other_device.get("/profile").content.decode()

    client.post("/language", {"language": "hi", "next": "/"})
    page = client.get("/").content.decode()
    assert "स्वागत है, Ravi" in page and "आप" in page


def test_admin_pages_and_messages_are_translated(client, people):
    client.force_login(people["bihar_admin"])
    client.post("/language", {"language": "hi"})
    page = client.get("/people").content.decode()
    assert "कर्मचारी" in page and "खोजें" in page and "बल्क अपलोड" in page and "संगठन" in page
    page = client.get("/people/imports").content.decode()
    assert "कर्मचारियों का बल्क अपलोड" in page and "CSV या Excel फ़ाइल" in page and "अभी तक कोई अपलोड नहीं।" in page
    page = client.get("/people", {"org": "IN-GJ-GAD"}).content.decode()
    assert "आपके प्रशासन वाले संगठनों में IN-GJ-GAD कोड वाला कोई संगठन नहीं है।" in page

    client.post("/language", {"language": "gu"})
    page = client.get("/people").content.decode()
    assert "કર્મચારીઓ" in page and "શોધો" in page and "ફિલ્ટર કરો" in page


def test_form_errors_are_in_the_page_language(client, orgs):
    client.cookies[LANG_COOKIE] = "gu"
    page = client.post("/login", {"email": "not-an-email", "password": ""}).content.decode()
    assert "માન્ય ઇમેઇલ સરનામું દાખલ કરો." in page and "આ ક્ષેત્ર ભરવું જરૂરી છે." in page
    page = client.post("/login", {"email": "nobody@nic.in", "password": "whatever-it-is"}).content.decode()
    assert "ઇમેઇલ અથવા પાસવર્ડ ખોટો છે." in page

    client.cookies[LANG_COOKIE] = "hi"
    page = client.post("/register", {"full_name": "A", "email": "a@nic.in", "org": "DOPT",
                                     "preferred_language": "hi", "password": "1234567890"}).content.decode()
    assert "यह पासवर्ड केवल अंकों से बना है।" in page


def test_the_confirmation_email_is_in_her_language(client, orgs, django_capture_on_commit_callbacks):
    from django.core import mail

    client.cookies[LANG_COOKIE] = "gu"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register", {"full_name": "Hetal Patel", "email": "hetal.p@gujarat.gov.in", "org": "IN-GJ-GAD",
                                  "preferred_language": "gu", "password": "Long-enough-pass-1"})
    assert mail.outbox[-1].subject == "Saksham માટે તમારા ઇમેઇલની પુષ્ટિ કરો"
    assert "તમારો પુષ્ટિ કોડ" in mail.outbox[-1].body
