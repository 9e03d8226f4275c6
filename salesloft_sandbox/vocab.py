"""Word lists the generator draws realistic-looking values from (all ASCII, so the
generated JSON never needs escaping)."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aaron Abigail Adam Adriana Aisha Alan Alex Alice Amara Amir Ana Andre Andrew Angela Anika "
    "Anna Arjun Ava Ben Bianca Blake Brandon Brianna Caleb Camila Carlos Carmen Chloe Chris "
    "Claire Daniel Dana Darius David Diego Elena Eli Elif Emily Emma Eric Ethan Eva Fatima Felix "
    "Gabriel Grace Hannah Hassan Henry Isaac Isabel Ivan Jack Jada James Jasmine Javier Jenna "
    "Jin John Jordan Jose Julia Kai Karen Kevin Kenji Laura Leah Leo Liam Lily Lucas Maya Mei "
    "Michael Mila Mohammed Naomi Nathan Nina Noah Olivia Omar Owen Priya Rachel Rafael Ravi "
    "Robin Rosa Ryan Sam Sara Sofia Tariq Theo Uma Victor Wei Yara Zoe"
)
LAST_NAMES = _words(
    "Adams Ahmed Alvarez Anderson Bailey Baker Bennett Brooks Brown Campbell Carter Chen Clark "
    "Collins Cooper Cruz Davis Diaz Edwards Evans Fischer Flores Garcia Gomez Gonzalez Green "
    "Gupta Hall Harris Hernandez Hill Hughes Ito Jackson James Johnson Jones Kaur Kelly Khan Kim "
    "King Kowalski Lee Lewis Lopez Martin Martinez Mehta Miller Mitchell Moore Morgan Morris "
    "Murphy Nguyen Novak Okafor Ortiz Parker Patel Perez Peterson Phillips Reed Reyes Richardson "
    "Rivera Roberts Robinson Rodriguez Rogers Ross Sanchez Sato Schmidt Scott Shah Silva Singh "
    "Smith Stewart Sullivan Tanaka Taylor Thomas Thompson Torres Turner Walker Wang Ward Watson "
    "White Williams Wilson Wright Wu Young Zhang"
)
COMPANY_PREFIX = _words(
    "Acme Apex Arbor Atlas Aurora Beacon Birch Blue Bright Cedar Cobalt Copper Crest Delta Echo "
    "Ember Evergreen Falcon Fern Granite Harbor Horizon Indigo Iron Juniper Keystone Lake Lumen "
    "Maple Meridian Nimbus North Oak Orbit Pacific Peak Pine Pioneer Prairie Quartz Redwood "
    "Ridge River Sage Sierra Silver Solar Spruce Stone Summit Tidal Timber True Union Vertex "
    "Willow Zenith"
)
COMPANY_CORE = _words(
    "Analytics Bio Cloud Data Dynamics Edge Field Flow Forge Freight Grid Health Insight Labs "
    "Layer Leaf Light Line Link Logic Loop Mark Media Mind Motion Nest Net Path Point Pulse "
    "Quest Rail Scale Shift Signal Source Spark Sphere Stack Step Stream Sync Tech Trail Vault "
    "Vision Wave Way Wing Works Yard Bridge Craft Gate Hub Port Base Core Crew"
)
COMPANY_SUFFIX = (
    "Inc",
    "Labs",
    "Group",
    "Systems",
    "Partners",
    "Co",
    "Corp",
    "Technologies",
    "LLC",
    "Holdings",
)
TLDS = ("com", "io", "co", "net", "ai")
INDUSTRIES = (
    "Software",
    "Manufacturing",
    "Financial Services",
    "Healthcare",
    "Retail",
    "Logistics",
    "Education",
    "Media",
    "Real Estate",
    "Telecommunications",
    "Energy",
    "Hospitality",
)
COMPANY_TYPES = ("Private", "Public", "Nonprofit", "Partnership")
REVENUE_RANGES = ("0-1M", "1M-10M", "10M-50M", "50M-100M", "100M-500M", "500M+")
SIZES = ("10", "25", "50", "120", "250", "500", "1200", "5000")
# (city, state, locale, UTC offset in minutes as Salesloft reports it)
PLACES = (
    ("New York", "NY", "US/Eastern", -300),
    ("Boston", "MA", "US/Eastern", -300),
    ("Atlanta", "GA", "US/Eastern", -300),
    ("Miami", "FL", "US/Eastern", -300),
    ("Chicago", "IL", "US/Central", -360),
    ("Austin", "TX", "US/Central", -360),
    ("Denver", "CO", "US/Mountain", -420),
    ("Phoenix", "AZ", "US/Arizona", -420),
    ("Seattle", "WA", "US/Pacific", -480),
    ("San Francisco", "CA", "US/Pacific", -480),
    ("Portland", "OR", "US/Pacific", -480),
    ("Raleigh", "NC", "US/Eastern", -300),
)
TITLES = (
    ("VP Sales", "vice_president"),
    ("VP Operations", "vice_president"),
    ("Director of Marketing", "director"),
    ("Director of IT", "director"),
    ("Chief Executive Officer", "executive"),
    ("Chief Technology Officer", "executive"),
    ("Sales Manager", "manager"),
    ("Engineering Manager", "manager"),
    ("Account Executive", "individual_contributor"),
    ("Software Engineer", "individual_contributor"),
    ("Operations Analyst", "individual_contributor"),
    ("Procurement Specialist", "unknown"),
)
TAGS = ("webinar-2024", "q2-push", "trade-show", "inbound", "partner-referral", "champion")
LEAD_SOURCES = ("Website", "Webinar", "Referral", "Trade Show", "Cold Outbound", "Partner")
SEGMENTS = ("SMB", "Mid-market", "Enterprise")
JOB_ROLES = ("SDR / BDR", "Account Executive", "Sales Manager", "Customer Success", "Sales Ops")
CADENCE_THEMES = (
    "Q2 Outbound",
    "Inbound Follow-up",
    "Webinar Attendees",
    "Trade Show Leads",
    "Enterprise Expansion",
    "Re-engagement",
    "Trial Nurture",
    "Executive Outreach",
    "Partner Intro",
    "Renewal Check-in",
)
STEP_TYPES = ("email", "phone", "email", "other", "email", "integration")
