"""The field day (统一管理): shops (渠道), check-ins, shop visits with the visit form, tickets, daily plans and
reports, and the process indicators they feed into the monthly score."""
