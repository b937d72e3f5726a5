"""The sample records a new Developer Edition or scratch org comes with (`hasSampleData`), for
tests that expect an org's usual Accounts, Contacts, Opportunities and Leads: Edge
Communications, Burlington Textiles, United Oil & Gas and the rest.

Modelled on Salesforce's Developer Edition sample data: the same companies, people, deals and
stages, not a byte-for-byte copy. Loaded through `Org.create`, so every rule of a write applies;
close dates are set from the org's clock, as a new org's are from the day it was made.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from fake_salesforce.org import Org

# Name, Type, Industry, BillingCity, BillingState, BillingCountry, Phone, NumberOfEmployees
ACCOUNTS: tuple[tuple[Any, ...], ...] = (
    ("Edge Communications", "Customer - Direct", "Electronics", "Austin", "TX", "USA",
     "(512) 757-6000", 1000),
    ("Burlington Textiles Corp of America", "Customer - Direct", "Apparel", "Burlington", "NC",
     "USA", "(336) 222-7000", 9000),
    ("Pyramid Construction Inc.", "Customer - Channel", "Construction", "Paris", None, "France",
     "(014) 427-4427", 2680),
    ("Dickenson plc", "Customer - Channel", "Consulting", "Lawrence", "KS", "USA",
     "(785) 241-6200", 120),
    ("Grand Hotels & Resorts Ltd", "Customer - Direct", "Hospitality", "Chicago", "IL", "USA",
     "(312) 596-1000", 5600),
    ("United Oil & Gas Corp.", "Customer - Direct", "Energy", "New York", "NY", "USA",
     "(212) 842-5500", 145000),
    ("Express Logistics and Transport", "Customer - Channel", "Transportation", "Portland", "OR",
     "USA", "(503) 421-7800", 12300),
    ("University of Arizona", "Customer - Direct", "Education", "Tucson", "AZ", "USA",
     "(520) 773-9050", 39000),
    ("United Oil & Gas, UK", "Customer - Direct", "Energy", "London", None, "United Kingdom",
     "+44 191 4956203", 24000),
    ("United Oil & Gas, Singapore", "Customer - Direct", "Energy", "Singapore", None, "Singapore",
     "(650) 450-8810", 3000),
    ("GenePoint", "Customer - Channel", "Biotechnology", "Mountain View", "CA", "USA",
     "(650) 867-3450", 265),
    ("sForce", None, None, "San Francisco", "CA", "USA", "(415) 901-7000", None),
)  # fmt: skip
PARENTS = {"United Oil & Gas, UK": "United Oil & Gas Corp.",
           "United Oil & Gas, Singapore": "United Oil & Gas Corp."}  # fmt: skip

# FirstName, LastName, Account, Title, Email, LeadSource, Department
CONTACTS: tuple[tuple[Any, ...], ...] = (
    ("Rose", "Gonzalez", "Edge Communications", "SVP, Procurement", "rose@edge.com", "Web",
     "Procurement"),
    ("Sean", "Forbes", "Edge Communications", "CFO", "sean@edge.com", "Phone Inquiry", "Finance"),
    ("Jack", "Rogers", "Burlington Textiles Corp of America", "VP, Facilities",
     "jrogers@burlington.com", "Web", "Facilities"),
    ("Pat", "Stumuller", "Pyramid Construction Inc.", "SVP, Administration and Finance",
     "pat@pyramid.net", "Other", "Finance"),
    ("Andy", "Young", "Dickenson plc", "SVP, Operations", "a_young@dickenson.com",
     "Purchased List", "Internal Operations"),
    ("Tim", "Barr", "Grand Hotels & Resorts Ltd", "SVP, Administration and Finance",
     "barr_tim@grandhotels.com", "Other", "Finance"),
    ("John", "Bond", "Grand Hotels & Resorts Ltd", "VP, Facilities", "bond_john@grandhotels.com",
     "Partner Referral", "Facilities"),
    ("Stella", "Pavlova", "United Oil & Gas Corp.", "SVP, Production", "spavlova@uog.com",
     "Phone Inquiry", "Production"),
    ("Lauren", "Boyle", "United Oil & Gas Corp.", "SVP, Technology", "lboyle@uog.com",
     "Phone Inquiry", "Technology"),
    ("Babara", "Levy", "Express Logistics and Transport", "SVP, Operations",
     "b.levy@expresslt.net", "Other", "Operations"),
    ("Josh", "Davis", "Express Logistics and Transport", "Director, Warehouse Mgmt",
     "j.davis@expresslt.net", "Partner Referral", "Warehouse Mgmt"),
    ("Jane", "Grey", "University of Arizona", "Dean of Administration", "jane_gray@uoa.edu",
     "Partner Referral", "Administration"),
    ("Arthur", "Song", "United Oil & Gas Corp.", "CEO", "asong@uog.com", "Web", "Executive Team"),
    ("Ashley", "James", "United Oil & Gas, UK", "VP, Finance", "ajames@uog.com", "Web",
     "Finance"),
    ("Tom", "Ripley", "United Oil & Gas, Singapore", "Regional General Manager",
     "tripley@uog.com", "Other", "Operations"),
    ("Liz", "D'Cruz", "United Oil & Gas, Singapore", "VP, Production", "ldcruz@uog.com", "Other",
     "Production"),
    ("Edna", "Frank", "GenePoint", "VP, Technology", "efrank@genepoint.com", "Web", "Technology"),
    ("Avi", "Green", "United Oil & Gas Corp.", "CFO", "agreen@uog.com", "Web", "Finance"),
    ("Siddartha", "Nedaerk", None, None, None, None, None),
    ("Jake", "Llorrac", "sForce", None, None, None, None),
)  # fmt: skip

# Name, Account, StageName, Amount, days from today to CloseDate
OPPORTUNITIES: tuple[tuple[Any, ...], ...] = (
    ("Edge Emergency Generator", "Edge Communications", "Closed Won", 75000, -120),
    ("Edge Installation", "Edge Communications", "Closed Won", 50000, -90),
    ("Edge SLA", "Edge Communications", "Closed Won", 60000, -60),
    ("Burlington Textiles Weaving Plant Generator", "Burlington Textiles Corp of America",
     "Closed Won", 235000, -150),
    ("Pyramid Emergency Generators", "Pyramid Construction Inc.", "Prospecting", 100000, 60),
    ("Dickenson Mobile Generators", "Dickenson plc", "Qualification", 15000, 45),
    ("Grand Hotels Emergency Generators", "Grand Hotels & Resorts Ltd", "Closed Won", 210000,
     -100),
    ("Grand Hotels Generator Installations", "Grand Hotels & Resorts Ltd", "Closed Won", 350000,
     -80),
    ("Grand Hotels Kitchen Generator", "Grand Hotels & Resorts Ltd", "Id. Decision Makers", 15000,
     30),
    ("Grand Hotels SLA", "Grand Hotels & Resorts Ltd", "Closed Won", 90000, -40),
    ("Grand Hotels Guest Portable Generators", "Grand Hotels & Resorts Ltd", "Value Proposition",
     250000, 75),
    ("United Oil Emergency Generators", "United Oil & Gas Corp.", "Closed Won", 440000, -130),
    ("United Oil Installations", "United Oil & Gas Corp.", "Negotiation/Review", 270000, 20),
    ("United Oil Installations", "United Oil & Gas Corp.", "Closed Won", 235000, -70),
    ("United Oil Installations", "United Oil & Gas Corp.", "Closed Won", 120000, -30),
    ("United Oil Office Portable Generators", "United Oil & Gas Corp.", "Negotiation/Review",
     125000, 25),
    ("United Oil Plant Standby Generators", "United Oil & Gas Corp.", "Needs Analysis", 675000,
     90),
    ("United Oil Refinery Generators", "United Oil & Gas Corp.", "Proposal/Price Quote", 915000,
     50),
    ("United Oil SLA", "United Oil & Gas Corp.", "Closed Won", 120000, -20),
    ("United Oil Standby Generators", "United Oil & Gas Corp.", "Closed Won", 120000, -10),
    ("Express Logistics Portable Truck Generators", "Express Logistics and Transport",
     "Value Proposition", 80000, 40),
    ("Express Logistics SLA", "Express Logistics and Transport", "Perception Analysis", 120000,
     35),
    ("Express Logistics Standby Generator", "Express Logistics and Transport", "Closed Won",
     220000, -50),
    ("University of AZ Installations", "University of Arizona", "Proposal/Price Quote", 100000,
     55),
    ("University of AZ Portable Generators", "University of Arizona", "Closed Won", 50000, -25),
    ("University of AZ SLA", "University of Arizona", "Closed Won", 90000, -15),
    ("GenePoint Lab Generators", "GenePoint", "Id. Decision Makers", 60000, 65),
    ("GenePoint SLA", "GenePoint", "Closed Won", 30000, -35),
    ("GenePoint Standby Generator", "GenePoint", "Closed Won", 85000, -45),
    ("Dickenson Mobile Generators (renewal)", "Dickenson plc", "Closed Lost", 15000, -5),
)  # fmt: skip

# FirstName, LastName, Company, Title, Status, Industry, City, Country, Email, LeadSource
LEADS: tuple[tuple[Any, ...], ...] = (
    ("Bertha", "Boxer", "Farmers Coop. of Florida", "Director of Vendor Relations",
     "Working - Contacted", "Agriculture", "Tallahassee", "USA", "bertha@fcof.net", "Web"),
    ("Phyllis", "Cotton", "Abbott Insurance", "CFO", "Open - Not Contacted", "Insurance",
     "Virginia Beach", "USA", "pcotton@abbottins.net", "Web"),
    ("Jeff", "Glimpse", "Jackson Controls", "SVP, Procurement", "Open - Not Contacted",
     "Technology", "Taipei", "Taiwan", "jeffg@jackson.com", "Phone Inquiry"),
    ("Mike", "Braund", "Metropolitan Health Services", "SVP, Technology", "Open - Not Contacted",
     "Healthcare", "Baltimore", "USA", "likeb@metro.com", "Web"),
    ("Patricia", "Feager", "International Shipping Co.", "CEO", "Working - Contacted", "Shipping",
     "Chapel Hill", "USA", "patricia_feager@is.com", "Partner Referral"),
    ("Brenda", "Mcclure", "Cadinal Inc.", "CFO", "Working - Contacted", "Insurance", "Cincinnati",
     "USA", "brenda@cardinal.net", "Web"),
    ("Violet", "Maccleod", "Emerson Transport", "VP, Finance", "Working - Contacted",
     "Transportation", "Rapid City", "USA", "violetm@emersontransport.com", "Web"),
    ("Kathy", "Snyder", "TNR Corp.", "Regional General Manager", "Working - Contacted",
     "Manufacturing", "Springfield", "USA", "ksynder@tnr.net", "Purchased List"),
    ("Tom", "James", "Delphi Chemicals", "SVP, Administration and Finance", "Working - Contacted",
     "Chemicals", "Bad Oeynhausen", "Germany", "tom.james@delphi.chemicals.com", "Web"),
    ("Sandra", "Eberhard", "Highland Manufacturing Ltd.", "VP, Production",
     "Working - Contacted", "Manufacturing", "Lansing", "USA", "sandra_e@highland.net",
     "Purchased List"),
    ("Carolyn", "Crenshaw", "Ace Iron and Steel Inc.", "VP, Technology",
     "Closed - Not Converted", "Manufacturing", "Denver", "USA", "carolync@aceis.com",
     "Phone Inquiry"),
    ("Betty", "Bair", "American Banking Corp.", "VP, Administration", "Working - Contacted",
     "Banking", "Manhattan", "USA", "bblair@abankingco.com", "Purchased List"),
    ("Eugena", "Luce", "Pacific Retail Group", "CEO", "Closed - Not Converted", "Retail",
     "Boston", "USA", "eluce@pacificretail.com", "Purchased List"),
    ("David", "Monaco", "Blues Entertainment Corp.", "CFO", "Working - Contacted",
     "Entertainment", "Providence", "USA", "david@blues.com", "Purchased List"),
    ("Kristen", "Akin", "Aethna Home Products", "Director, Warehouse Mgmt",
     "Working - Contacted", "Consulting", "Fairfax", "USA", "kakin@athenahome.com",
     "Partner Referral"),
    ("Shelly", "Brownell", "Western Telecommunications Corp.", "SVP, Technology",
     "Working - Contacted", "Communications", "Tucson", "USA", "shellyb@westerntelecom.com",
     "Web"),
    ("Norm", "May", "Greenwich Media", "VP, Facilities", "Working - Contacted", "Media", "Eugene",
     "USA", "norm_may@greenwich.net", "Web"),
    ("Pamela", "Owenby", "Hendrickson Trading", "VP, Technology", "Closed - Not Converted",
     "Finance", "Houston", "USA", "pam_owenby@hendricksontrading.com", "Purchased List"),
)  # fmt: skip


def load_sample_data(org: Org) -> dict[str, int]:
    """Create the sample records in `org`; how many of each object were made."""
    accounts = _accounts(org)
    for first, last, account, title, email, source, department in CONTACTS:
        contact = _present(
            FirstName=first, LastName=last, AccountId=accounts.get(account), Title=title,
            Email=email, LeadSource=source, Department=department,
        )  # fmt: skip
        org.create("Contact", contact)
    today = org.clock.now().astimezone(ZoneInfo(org.timezone)).date()
    for name, account, stage, amount, days in OPPORTUNITIES:
        close = (today + timedelta(days=days)).isoformat()
        deal = _present(
            Name=name, AccountId=accounts[account], StageName=stage, Amount=amount, CloseDate=close
        )
        org.create("Opportunity", deal)
    for first, last, company, title, status, industry, city, country, email, source in LEADS:
        lead = _present(
            FirstName=first, LastName=last, Company=company, Title=title, Status=status,
            Industry=industry, City=city, Country=country, Email=email, LeadSource=source,
        )  # fmt: skip
        org.create("Lead", lead)
    made = {"Account": ACCOUNTS, "Contact": CONTACTS, "Opportunity": OPPORTUNITIES, "Lead": LEADS}
    return {name: len(rows) for name, rows in made.items()}


def _accounts(org: Org) -> dict[str, str]:
    made: dict[str, str] = {}
    for name, kind, industry, city, state, country, phone, employees in ACCOUNTS:
        made[name] = org.create("Account", _present(
            Name=name, Type=kind, Industry=industry, BillingCity=city, BillingState=state,
            BillingCountry=country, Phone=phone, NumberOfEmployees=employees,
            ParentId=made.get(PARENTS.get(name, "")),
        ))  # fmt: skip
    return made


def _present(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
