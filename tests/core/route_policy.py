"""Access decisions for the domains' routes, merged into the route × role matrix (test_route_matrix.py).

endpoint -> the roles that may get a 2xx for it.
"""

from __future__ import annotations

ANON, MANAGER, TRAINER, COUNTY_SUP, CITY_SUP, ADMIN = (
    "anonymous", "manager", "trainer", "county_supervisor", "city_supervisor", "admin")
SIGNED_IN = {MANAGER, TRAINER, COUNTY_SUP, CITY_SUP, ADMIN}
STAFF = {TRAINER, COUNTY_SUP, CITY_SUP, ADMIN}
SUPERVISORS = {COUNTY_SUP, CITY_SUP, ADMIN}
AUTHORS = {TRAINER, ADMIN}
EVERYONE = SIGNED_IN | {ANON}

DOMAIN_POLICY: dict[str, set[str]] = {}

# certificates: the check is public; a PDF only for the holder, scoped supervisors and staff (others get 404)
DOMAIN_POLICY.update({
    "certificates.verify": EVERYONE,
    "certificates.verify_form": EVERYONE,
    "api.certificate_status": EVERYONE,
    "certificates.mine": SIGNED_IN,
    "certificates.download": SIGNED_IN,
    "certificates.index": STAFF,
    "certificates.period_zip": STAFF,
    "certificates.revoke": {ADMIN},
})
