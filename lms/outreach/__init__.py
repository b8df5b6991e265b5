"""Policy reaches the shops (执行渠道), the third level of training: the month's lessons a trainer marked "for
shops", sent by each shop's own link and QR code to a phone page without a password (read, a short check, "we have
read it" with the staff member's name), and the manager's page of links and each shop's status this month; from the
same page a shop reports problems (as field tickets) and sees the lessons' pictures."""
