"""The demo framework, FRAC mapping and passports: a national competency framework of three areas
(behavioural, functional, domain) with the competencies the demo courses are tagged with, texts in English and
Hindi and five levels; designations mapped to roles, activities and required levels; the demo learner's passport
filled from her completed course, an institute's report and a self-declaration. Idempotent."""

from __future__ import annotations

from saksham.catalog.models import Provider
from saksham.competencies import services
from saksham.competencies.models import Framework, Position
from saksham.learning.hooks import Completion
from saksham.learning.queries import my_learning
from saksham.people.models import Role, User

LEVELS = [("Basic", "आधारभूत"), ("Working", "कार्यकारी"), ("Proficient", "प्रवीण"), ("Advanced", "उन्नत"),
          ("Expert", "विशेषज्ञ")]
DESCRIPTORS = [
    ("Knows the basics of {n}", "{n} की मूल बातें जानते हैं"),
    ("Applies {n} in routine work, with guidance", "मार्गदर्शन के साथ नियमित कार्य में {n} लागू करते हैं"),
    ("Applies {n} independently, including in unusual cases", "{n} असामान्य मामलों सहित स्वतंत्र रूप से लागू करते हैं"),
    ("Guides and reviews others' work in {n}", "{n} में दूसरों के कार्य का मार्गदर्शन और समीक्षा करते हैं"),
    ("Shapes practice and policy in {n}", "{n} में कार्यप्रणाली और नीति को दिशा देते हैं"),
]
# area, theme, sub-theme: code, English, Hindi
TREE = [
    ("BEH", "Behavioural", "व्यवहारिक", [
        ("BEH-SELF", "Self", "स्वयं", [
            ("BEH-SELF-ETH", "Ethics and values", "नैतिकता और मूल्य", [
                ("BC-ETH-01", "Ethics and integrity", "नैतिकता और सत्यनिष्ठा"),
                ("BC-ETH-02", "Conduct and discipline", "आचरण और अनुशासन"),
                ("BC-KAR-01", "Role-based mindset (Karmayogi)", "भूमिका-आधारित दृष्टिकोण (कर्मयोगी)")]),
            ("BEH-SELF-WELL", "Wellbeing", "कल्याण", [
                ("BC-WELL-01", "Stress management and resilience", "तनाव प्रबंधन और लचीलापन")])]),
        ("BEH-OTH", "Working with others", "दूसरों के साथ कार्य", [
            ("BEH-OTH-LEAD", "Leadership and communication", "नेतृत्व और संचार", [
                ("BC-LEAD-02", "Leading teams in the field", "क्षेत्र में टीमों का नेतृत्व"),
                ("BC-COM-02", "Written and digital communication", "लिखित और डिजिटल संचार"),
                ("BC-GEN-01", "Gender sensitivity", "लैंगिक संवेदनशीलता")]),
            ("BEH-OTH-CIT", "Citizen centricity", "नागरिक केंद्रितता", [
                ("BC-CIT-01", "Citizen-centric service delivery", "नागरिक-केंद्रित सेवा वितरण"),
                ("BC-CIT-02", "Right to public services", "लोक सेवा का अधिकार"),
                ("BC-CIT-03", "Service delivery and grievance settlement", "सेवा प्रदान और शिकायत निपटान"),
                ("BC-CIT-04", "Public grievance redress (CPGRAMS)", "लोक शिकायत निवारण (सीपीग्राम्स)")])])]),
    ("FUN", "Functional", "कार्यात्मक", [
        ("FUN-OFF", "Office management", "कार्यालय प्रबंधन", [
            ("FUN-OFF-PROC", "Procedure and records", "प्रक्रिया और अभिलेख", [
                ("FC-OP-01", "Office procedure and file management", "कार्यालय प्रक्रिया और फाइल प्रबंधन"),
                ("FC-OP-02", "Records management", "अभिलेख प्रबंधन"),
                ("FC-OP-03", "Office procedure in the state", "राज्य में कार्यालय प्रक्रिया"),
                ("FC-RTI-01", "Right to information", "सूचना का अधिकार"),
                ("FC-PAR-01", "Parliamentary procedure", "संसदीय प्रक्रिया")]),
            ("FUN-OFF-LANG", "Official language", "राजभाषा", [
                ("FC-OL-01", "Official language policy", "राजभाषा नीति"),
                ("FC-OL-02", "Noting and drafting in Hindi", "हिंदी में टिप्पण और आलेखन"),
                ("FC-OL-03", "Translation tools", "अनुवाद उपकरण"),
                ("FC-OL-04", "Administrative writing in Gujarati", "गुजराती में प्रशासनिक लेखन"),
                ("FC-OL-05", "Official letters in Tamil", "तमिल में सरकारी पत्र")])]),
        ("FUN-RES", "Resources", "संसाधन", [
            ("FUN-RES-HR", "People and service matters", "कार्मिक और सेवा मामले", [
                ("FC-HR-02", "Leave and service rules", "अवकाश और सेवा नियम"),
                ("FC-HR-04", "Disciplinary proceedings", "अनुशासनात्मक कार्यवाही"),
                ("FC-HR-05", "Pension and retirement benefits", "पेंशन और सेवानिवृत्ति लाभ")]),
            ("FUN-RES-FIN", "Finance and procurement", "वित्त और खरीद", [
                ("FC-FIN-01", "Financial rules", "वित्तीय नियम"),
                ("FC-FIN-02", "Budgeting", "बजट निर्माण"),
                ("FC-FIN-03", "Public financial management (PFMS)", "सार्वजनिक वित्तीय प्रबंधन (पीएफएमएस)"),
                ("FC-PROC-02", "e-Procurement (GeM)", "ई-खरीद (जेम)"),
                ("FC-AUD-01", "Internal audit", "आंतरिक लेखा परीक्षा")])]),
        ("FUN-POL", "Policy", "नीति", [
            ("FUN-POL-DES", "Policy and administration", "नीति और प्रशासन", [
                ("FC-PA-01", "Public administration", "लोक प्रशासन"),
                ("FC-POL-01", "Policy design and evaluation", "नीति निर्माण और मूल्यांकन"),
                ("FC-POL-02", "Research methods for policy", "नीति के लिए शोध पद्धतियाँ")])])]),
    ("DOM", "Domain", "क्षेत्रीय", [
        ("DOM-DIG", "Digital government", "डिजिटल शासन", [
            ("DOM-DIG-TOOLS", "Digital tools", "डिजिटल उपकरण", [
                ("DC-EOF-01", "e-Office", "ई-ऑफिस"),
                ("DC-EGOV-01", "e-Governance and digital public infrastructure", "ई-शासन और डिजिटल सार्वजनिक अवसंरचना"),
                ("DC-DIG-02", "Spreadsheets", "स्प्रेडशीट"),
                ("DC-DIG-03", "Digital signatures", "डिजिटल हस्ताक्षर"),
                ("DC-DATA-01", "Data analysis and dashboards", "डेटा विश्लेषण और डैशबोर्ड"),
                ("DC-AI-01", "Artificial intelligence in government", "शासन में कृत्रिम बुद्धिमत्ता")]),
            ("DOM-DIG-SEC", "Security and privacy", "सुरक्षा और निजता", [
                ("DC-CYB-01", "Cyber hygiene", "साइबर स्वच्छता"),
                ("DC-CYB-02", "Data protection", "डेटा संरक्षण")])]),
        ("DOM-DEV", "Development programmes", "विकास कार्यक्रम", [
            ("DOM-DEV-RUR", "Rural development", "ग्रामीण विकास", [
                ("DC-RD-01", "Rural employment (MGNREGA)", "ग्रामीण रोजगार (मनरेगा)"),
                ("DC-RD-02", "Panchayat planning", "पंचायत योजना"),
                ("DC-RD-03", "Rural housing", "ग्रामीण आवास"),
                ("DC-RD-04", "Gram panchayat administration", "ग्राम पंचायत प्रशासन"),
                ("DC-SAN-01", "Sanitation (Swachh Bharat)", "स्वच्छता (स्वच्छ भारत)"),
                ("DC-WAT-01", "Drinking water supply", "पेयजल आपूर्ति")]),
            ("DOM-DEV-HLT", "Health", "स्वास्थ्य", [
                ("DC-HLT-01", "Health insurance and wellness", "स्वास्थ्य बीमा और कल्याण"),
                ("DC-HLT-02", "Public health emergencies", "सार्वजनिक स्वास्थ्य आपात स्थिति"),
                ("DC-HLT-03", "Maternal and child health", "मातृ एवं शिशु स्वास्थ्य")])]),
        ("DOM-REG", "Regulation and revenue", "विनियमन और राजस्व", [
            ("DOM-REG-REV", "Revenue and disasters", "राजस्व और आपदा", [
                ("DC-TAX-01", "Goods and services tax", "वस्तु एवं सेवा कर"),
                ("DC-TAX-02", "Customs", "सीमा शुल्क"),
                ("DC-REV-01", "Land records", "भूमि अभिलेख"),
                ("DC-REV-02", "Revenue administration", "राजस्व प्रशासन"),
                ("DC-DM-01", "Disaster management", "आपदा प्रबंधन"),
                ("DC-DM-02", "Earthquake and cyclone response", "भूकंप और चक्रवात प्रतिक्रिया")])])]),
]

# designation: role code, role name, [(activity code, activity name, {competency: level})]
MAPPING = {
    "Section Officer": [
        ("ROLE-DESK", "Desk officer", [
            ("ACT-FILES", "Process files and draft notes", {"FC-OP-01": 3, "DC-EOF-01": 2, "FC-OL-01": 2}),
            ("ACT-RTI", "Reply to RTI applications", {"FC-RTI-01": 2}),
            ("ACT-PARL", "Prepare parliament question replies", {"FC-PAR-01": 2})]),
        ("ROLE-SUPERVISOR", "Section supervisor", [
            ("ACT-SERVICE", "Handle service matters of the section", {"FC-HR-02": 2, "FC-HR-04": 2}),
            ("ACT-CONDUCT", "Uphold conduct and integrity", {"BC-ETH-01": 2, "BC-ETH-02": 2}),
            ("ACT-CYBER", "Keep the section's systems safe", {"DC-CYB-01": 2}),
            ("ACT-CLEAN", "Lead cleanliness drives", {"DC-SAN-01": 1})])],
    "Assistant Section Officer": [
        ("ROLE-ASSISTANT", "Dealing assistant", [
            ("ACT-FILES", "Process files and draft notes", {"FC-OP-01": 3, "DC-EOF-01": 2, "FC-OL-01": 2}),
            ("ACT-SHEETS", "Keep registers and returns", {"DC-DIG-02": 2, "BC-COM-02": 2})])],
    "Under Secretary": [
        ("ROLE-DESK", "Desk officer", []),
        ("ROLE-FINANCE", "Drawing and disbursing officer", [
            ("ACT-PAY", "Sanction and pay", {"FC-FIN-01": 3, "FC-FIN-03": 3, "FC-PROC-02": 2})])],
    "Director": [
        ("ROLE-POLICY", "Policy lead", [
            ("ACT-POLICY", "Design and evaluate schemes", {"FC-POL-01": 3, "DC-DATA-01": 2, "BC-KAR-01": 2}),
            ("ACT-LEAD", "Lead a division", {"BC-LEAD-02": 3, "BC-ETH-01": 3})])],
    "Block Development Officer": [
        ("ROLE-BLOCK", "Block administration", [
            ("ACT-RURAL", "Run rural schemes", {"DC-RD-01": 3, "DC-RD-02": 3, "DC-RD-03": 2, "DC-WAT-01": 2}),
            ("ACT-CITIZEN", "Serve citizens", {"BC-CIT-01": 3, "BC-CIT-04": 2}),
            ("ACT-DISASTER", "Respond to disasters", {"DC-DM-01": 2})])],
    "Tehsildar": [
        ("ROLE-REVENUE", "Revenue officer", [
            ("ACT-LAND", "Keep land records", {"DC-REV-01": 3, "DC-REV-02": 3}),
            ("ACT-DISASTER", "Respond to disasters", {"DC-DM-01": 2})])],
    "Staff Nurse": [
        ("ROLE-CARE", "Care provider", [
            ("ACT-MCH", "Care for mothers and children", {"DC-HLT-03": 3, "DC-HLT-01": 2}),
            ("ACT-WELL", "Look after oneself", {"BC-WELL-01": 2})])],
    "Medical Officer": [
        ("ROLE-PHC", "Health centre in charge", [
            ("ACT-EMERGENCY", "Prepare for outbreaks", {"DC-HLT-02": 3, "DC-HLT-01": 3})])],
    "Accounts Officer": [
        ("ROLE-FINANCE", "Drawing and disbursing officer", []),
        ("ROLE-AUDIT", "Internal auditor", [("ACT-AUDIT", "Audit accounts", {"FC-AUD-01": 3, "FC-FIN-02": 2})])],
    "Data Entry Operator": [
        ("ROLE-DATA", "Data operator", [
            ("ACT-DATA", "Keep data clean and safe", {"DC-DIG-02": 2, "DC-CYB-01": 2, "DC-CYB-02": 1})])],
}


def document() -> dict:
    elements = []

    def add(code, kind, parent, en, hi):
        e = {"code": code, "kind": kind, "parent": parent, "name": {"en": en, "hi": hi}}
        if kind == "competency":
            e["description"] = {"en": f"{en} in the work of a public servant.",
                                "hi": f"लोक सेवक के कार्य में {hi}।"}
            e["levels"] = {str(i): {"en": d_en.format(n=en[:1].lower() + en[1:]), "hi": d_hi.format(n=hi)}
                           for i, (d_en, d_hi) in enumerate(DESCRIPTORS, start=1)}
        elements.append(e)

    for a_code, a_en, a_hi, themes in TREE:
        add(a_code, "area", None, a_en, a_hi)
        for t_code, t_en, t_hi, subs in themes:
            add(t_code, "theme", a_code, t_en, t_hi)
            for s_code, s_en, s_hi, comps in subs:
                add(s_code, "subtheme", t_code, s_en, s_hi)
                for c_code, c_en, c_hi in comps:
                    add(c_code, "competency", s_code, c_en, c_hi)
    return {"format": "saksham.competencies/1", "code": "NCF-DEMO", "languages": ["en", "hi"],
            "name": {"en": "National competency framework (demo)", "hi": "राष्ट्रीय योग्यता ढांचा (डेमो)"},
            "description": {"en": "Behavioural, functional and domain competencies of public servants.",
                            "hi": "लोक सेवकों की व्यवहारिक, कार्यात्मक और क्षेत्रीय योग्यताएँ।"},
            "levels": {str(i): {"en": en, "hi": hi} for i, (en, hi) in enumerate(LEVELS, start=1)},
            "elements": elements}


def _admin():

    return (User.objects.filter(memberships__role=Role.PLATFORM_ADMIN).order_by("id").first()
            or User.objects.filter(is_superuser=True).order_by("id").first())


def build_framework() -> Framework | None:
    """The demo framework (before the demo catalogue, whose courses are tagged with its codes and levels)."""
    frame = Framework.objects.filter(code="NCF-DEMO").first()
    if frame is not None:
        return frame
    admin = _admin()
    if admin is None:
        return None
    return services.framework_import(actor=admin, document=document(), make_default=True)


def build_mapping() -> int:
    admin = _admin()
    if admin is None or Position.objects.exists():
        return 0
    roles: dict[str, set[str]] = {}
    for designation, role_list in MAPPING.items():
        for role_code, role_name, activities in role_list:
            for act_code, act_name, reqs in activities:
                services.activity_upsert(actor=admin, code=act_code, name=act_name, requirements=reqs)
                roles.setdefault(role_code, set()).add(act_code)
            services.role_upsert(actor=admin, code=role_code, name=role_name,
                                 activities=sorted(roles.get(role_code, set())))
        services.position_set(actor=admin, designation=designation, roles=[r[0] for r in role_list])
    return len(MAPPING)


def build_passports() -> int:
    """The demo learner's passport: her completed course, an institute's report, a self-declaration."""
    learner = User.objects.filter(email__startswith="learner@demo.").select_related("org").first()
    if learner is None:
        return 0
    added = 0
    for e in my_learning(learner)["completed"]:
        added += services.on_completion(Completion.of(e))
    provider = Provider.objects.filter(org__code="ISTM").first() or Provider.objects.order_by("id").first()
    admin = _admin()
    if provider is not None and admin is not None:
        added += services.competency_report(actor=admin, provider=provider, learner=learner, code="FC-RTI-01",
                                            level=1, reference="DEMO-RTI-WORKSHOP") is not None
    added += services.competency_declare(learner=learner, code="BC-COM-02", level=3,
                                         note="Drafted the division's circulars for two years") is not None
    services.cohort_counts_fold()
    services.coverage_rollups_rebuild()
    return added


def build_competencies() -> int:
    """After the demo catalogue and learning: the mapping, passports and co-enrolment counts."""
    build_framework()
    n = build_mapping()
    build_passports()
    return n
