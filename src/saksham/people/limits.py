"""How long a person's fields may be: one set of limits.

The people table's columns (``models.User``), the forms and API schemas that take a person, the validator of a person
(``validation.PersonValidator``: registration, an admin's form and the API) and the bulk import's row loop
(``importing.validation``) all read these, so a value one of them accepts fits the column and is accepted by the
others. Lengths are in characters.
"""

FULL_NAME = 200
EMAIL = 254                # RFC 5321's longest forward path, Django's EmailField
MOBILE = 20
DESIGNATION = 200
GROUP = 32
SERVICE = 120
EMPLOYEE_CODE = 64
LANGUAGE = 8               # a language code: preferred_language, mother_tongue
GENDER = 16
POSTAL_CODE = 12
EXTERNAL_ID = 128
TAGS = 20                  # tags kept per person (more are dropped)

# The text fields whose only check, besides being stripped, is their length.
MAX_LEN = {
    "full_name": FULL_NAME,
    "designation": DESIGNATION,
    "service": SERVICE,
    "employee_code": EMPLOYEE_CODE,
    "external_id": EXTERNAL_ID,
}
