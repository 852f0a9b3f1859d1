"""Words the demo data is made of: names, ticket subjects, survey comments and call notes
written the way customers and executives actually write them."""

from dataclasses import dataclass

NAME_PARTS = [
    "Northwind",
    "Bluefin",
    "Cedar",
    "Harbor",
    "Summit",
    "Ironwood",
    "Lumen",
    "Brightwater",
    "Redwood",
    "Copperline",
    "Granite",
    "Silverlake",
    "Meridian",
    "Oakridge",
    "Polaris",
    "Riverbend",
    "Stonegate",
    "Tidewater",
    "Westbrook",
    "Evergreen",
    "Fairfield",
    "Highland",
    "Kestrel",
    "Larkspur",
    "Maplewood",
    "Norfolk",
    "Pinecrest",
    "Quarry",
    "Saltmarsh",
    "Thornbury",
    "Vantage",
    "Willow",
    "Aster",
    "Beacon",
    "Clearwater",
    "Driftwood",
    "Ember",
    "Foxglove",
    "Juniper",
    "Keystone",
]
NAME_KINDS = [
    "Logistics",
    "Analytics",
    "Health",
    "Foods",
    "Dental Group",
    "Freight",
    "Insurance",
    "Manufacturing",
    "Retail",
    "Labs",
    "Energy",
    "Hotels",
    "Legal",
    "Architects",
    "Bank",
    "Pharmacy",
    "Schools",
    "Media",
    "Robotics",
    "Outdoor",
    "Clinics",
    "Construction",
    "Realty",
    "Travel",
    "Mobility",
]
FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Lucas",
    "Sofia",
    "Mateo",
    "Maja",
    "Henrik",
    "Ingrid",
    "Lars",
    "Chloe",
    "Hugo",
    "Amara",
    "Kwame",
    "Priya",
    "Arjun",
    "Mei",
    "Kenji",
    "Yuki",
    "Fatima",
    "Omar",
    "Leila",
    "Diego",
    "Lucia",
    "Grace",
    "Samuel",
    "Hannah",
    "Jonas",
    "Elena",
    "Marco",
    "Aisha",
    "Tomás",
    "Nora",
    "Erik",
    "Zoe",
    "Ben",
    "Ruth",
    "Patrick",
    "Sinead",
    "Wei",
    "Hana",
    "Ravi",
    "Anya",
    "Felix",
    "Clara",
    "Isaac",
    "Julia",
    "Owen",
]
LAST_NAMES = [
    "Andersen",
    "Bakker",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haugen",
    "Ibrahim",
    "Johansson",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "O'Brien",
    "Patel",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Murphy",
    "Nguyen",
    "Okafor",
    "Park",
    "Romero",
    "Singh",
    "Thompson",
    "Van Dijk",
    "Weber",
    "Kim",
    "Larsen",
    "Costa",
    "Brennan",
    "Holm",
]
CONTACT_TITLES = [
    "CEO",
    "COO",
    "CFO",
    "CTO",
    "VP Operations",
    "Head of Customer Experience",
    "IT Director",
    "Office Manager",
    "Procurement Lead",
    "Head of Finance",
    "Director of Engineering",
    "Practice Manager",
    "Operations Manager",
]

# (subject, the kind of trouble it is). "{n}", "{m}" and "{amount}" are filled in.
TICKET_SUBJECTS = [
    "Invoice INV-{n} charged twice this month",
    "Billing says we owe ${amount} but we paid in full",
    "Can't log in with SSO since this morning",
    "SSO login fails for {m} users after the Okta change",
    "API returns 502 on /v2/orders during peak hours",
    "Webhooks stopped arriving after the update",
    "Export to CSV times out for large reports",
    "Dashboard shows yesterday's numbers only",
    "Data missing after the Salesforce sync",
    "Duplicate contacts created by the importer",
    "Mobile app crashes when opening attachments",
    "Password reset e-mails never arrive",
    "Need to add {m} seats before Monday",
    "Report scheduler sends empty PDFs",
    "Search returns nothing for customer names with accents",
    "Permissions: managers can see payroll fields",
    "Outage: whole team locked out",
    "Slow page loads since the last release",
    "Calendar sync creates duplicate events",
    "Question about the new pricing on renewal",
    "How do we move data to the EU region?",
    "Audit log missing entries for June",
    "Printer labels cut off after template change",
    "Cannot cancel an order once it is confirmed",
    "Refund for the downtime on the 3rd",
    "Integration with QuickBooks posts wrong tax codes",
    "Two-factor codes arrive minutes late",
    "Bulk edit silently drops changes",
    "Notification e-mails land in spam",
    "Need help configuring the approval workflow",
    "Timezone wrong on all scheduled reports",
    "Users logged out every ten minutes",
    "Attachment upload limit too small for our scans",
    "Custom fields disappeared from the form",
    "Support chat widget not loading on Safari",
    "Feature request: export invoices as XML",
    "Data retention: please delete old records",
    "Our account manager left and nobody answers",
    "Contract renewal quote has the wrong discount",
    "Incident follow-up: root cause still not shared",
]
TICKET_TAGS = ["billing", "sso", "api", "performance", "data", "mobile", "reports", "integration", "outage", "renewal"]

# Survey comments by how the customer feels; a detractor's comment is what the CEO will read aloud.
NPS_DETRACTOR_COMMENTS = [
    "Don't bother, you guys are absolute idiots",
    "Third outage this month. We are evaluating alternatives.",
    "Nobody answers support tickets for days. Unacceptable for what we pay.",
    "The billing mess cost me a weekend. Still not fixed.",
    "Your product used to be great. The last two releases broke everything we rely on.",
    "I've asked for the same fix since March. Stop promising and deliver.",
    "Slow, buggy and the new UI hides everything we use daily.",
    "We were charged twice and it took six weeks to get our money back.",
    "Our account manager left and nobody bothered to tell us.",
    "It works, mostly. Support is polite but nothing ever gets solved.",
    "Honestly I've given up reporting bugs.",
    "The SSO outage locked 200 people out on a Monday morning. No apology.",
    "",
    "Too expensive for what it does now.",
    "Renewal is coming up and I can't justify it to my CFO.",
]
NPS_PASSIVE_COMMENTS = [
    "Fine. Does the job.",
    "Good product, support could be quicker.",
    "Reports are useful, the mobile app less so.",
    "We like it but the price went up a lot.",
    "",
    "OK overall; the onboarding was rough.",
]
NPS_PROMOTER_COMMENTS = [
    "Best decision we made this year. The team loves it.",
    "Support fixed our import problem in an hour. Thank you, Lena!",
    "Saves my team a full day every week.",
    "Rock solid, and you actually listen to feedback.",
    "",
    "Recommended you to two other practices already.",
    "The new dashboard is exactly what we asked for.",
]
CSAT_LOW_COMMENTS = [
    "Closed my ticket without fixing anything.",
    "Had to explain the problem four times to four people.",
    "The workaround you gave me broke something else.",
    "Waited 9 days for a reply.",
    "",
]
CSAT_OK_COMMENTS = [
    "Quick and friendly.",
    "Solved, thanks.",
    "",
    "Took a while but got there.",
    "Great help from Marcus.",
]

FLAG_REASONS_URGENT = [
    "She hung up on our support engineer after the third outage this month and says they are talking to a competitor.",
    "CFO wrote to say they will not renew unless someone senior calls this week.",
    "Outage on their busiest day; their CEO posted about it on LinkedIn.",
]
FLAG_REASONS = [
    "Billing error dragged on for six weeks; they feel nobody owns it.",
    "Long-time customer, quiet since their champion left. Worth a listening call.",
    "Escalated SSO issue, fixed now, but trust is shaken.",
    "They keep asking for the roadmap on exports; a CEO call would reassure them before renewal.",
    "Detractor comment in the last survey and two reopened tickets.",
    "New COO on their side; good moment to introduce ourselves.",
    "Angry e-mail to support about the price increase.",
]


@dataclass(frozen=True)
class CallScript:
    """One reached call as the executive logs it: the mood, the notes and the promises agree."""

    sentiment: str
    notes: str
    promises: tuple[str, ...] = ()


# Reached calls, by the customer's mood on the call; the notes never contradict the mood.
CALL_SCRIPTS = [
    CallScript(
        "angry",
        "Angry about the third outage this month; they are talking to a competitor. Listened, apologised "
        "and promised the root cause in writing.",
        ("Send the written postmortem of the outage", "Have the head of engineering call back with the root cause"),
    ),
    CallScript(
        "angry",
        "Furious about being charged twice and waiting six weeks for the refund. Apologised; refund promised "
        "this week.",
        ("Refund the double charge and confirm by e-mail",),
    ),
    CallScript(
        "unhappy",
        "Frustrated but fair. They want one named person in support. Agreed to assign a technical account manager.",
        ("Assign a named technical account manager",),
    ),
    CallScript(
        "unhappy",
        "The June release broke their nightly export. Listened for ten minutes before saying anything; promised "
        "a fix date and a credit.",
        ("Fix the nightly CSV export before the next release", "Credit the next invoice for the broken exports"),
    ),
    CallScript(
        "unhappy",
        "The SSO outage hurt them badly on a Monday. Shared what we changed; they want the postmortem in writing.",
        ("Send the written postmortem of the SSO outage",),
    ),
    CallScript(
        "unhappy",
        "Mostly about the price increase. Explained the change; offered to keep their current rate until renewal.",
        ("Keep the current price until renewal",),
    ),
    CallScript(
        "neutral",
        "Calm call. They like the product; support response times are the issue. Promised to follow up on the SLA.",
        ("Get support to reply within 4 business hours on their tickets",),
    ),
    CallScript(
        "neutral",
        "They felt ignored since their account manager left. Introduced the new account manager by e-mail "
        "during the call.",
    ),
    CallScript(
        "neutral",
        "Password reset e-mails land in their spam folder. Promised to find out why.",
        ("Check why password reset e-mails land in spam and report back",),
    ),
    CallScript(
        "neutral",
        "Custom fields disappeared from two of their forms after the update. Engineering has it; promised a date.",
        ("Restore the missing custom fields on their forms",),
    ),
    CallScript(
        "satisfied",
        "Good conversation with their new COO; they would like a quarterly review.",
        ("Set up a quarterly business review",),
    ),
    CallScript(
        "satisfied",
        "Uses reports daily and is happy with them. Asked for an XML invoice export; passed it to product, "
        "no promise made.",
    ),
    CallScript(
        "satisfied",
        "Keen on exports; asked where the roadmap is going before their renewal. Promised the dates.",
        ("Share the export roadmap with dates",),
    ),
    CallScript(
        "delighted",
        "Delighted with the new dashboard; they have recommended us to two other practices. Nothing to fix.",
    ),
    CallScript("delighted", "Loves the product and offered to be a reference customer. Nothing to fix."),
]
# Which moods a reached customer shows, by how they feel about us (the demo's hidden mood).
SENTIMENTS_BY_MOOD = {
    "angry": (("angry", 45), ("unhappy", 45), ("neutral", 10)),
    "neutral": (("unhappy", 20), ("neutral", 50), ("satisfied", 30)),
    "happy": (("neutral", 10), ("satisfied", 55), ("delighted", 35)),
}
# Calls that did not reach the customer; each outcome's notes say exactly that outcome.
NOTES_BY_OUTCOME = {
    "voicemail": (
        "Left a voicemail with my direct number; will try again next week.",
        "Voicemail. Said who I am and asked them to call me back.",
    ),
    "no_answer": (
        "No answer.",
        "No answer; the main line says she is travelling until Thursday.",
        "Rang out twice; nobody picked up.",
    ),
    "rescheduled": (
        "Their assistant picked up and moved the call to next week at their request.",
        "He asked to talk next week instead, after their board meeting.",
    ),
}

RESOLUTIONS = [
    "Done; the customer confirmed by e-mail.",
    "Done, and the customer was told on a short call.",
    "Done; confirmed to the customer in writing.",
]
DROP_REASONS = [
    "Dropped: the customer no longer needs it.",
    "Dropped: replaced by what was agreed at renewal.",
]
