"""Access decisions for the domains' routes, merged into the route × role matrix (test_route_matrix.py).

endpoint -> the roles that may get a 2xx for it.
"""

from __future__ import annotations

ANON, MANAGER, TRAINER, GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN = (
    "anonymous", "manager", "trainer", "grid_supervisor", "county_supervisor", "city_supervisor", "admin")
SIGNED_IN = {MANAGER, TRAINER, GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN}
STAFF = {TRAINER, GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN}
SUPERVISORS = {GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN}
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

# quizzes and attempts: lists and the player for everyone signed in (someone else's attempt is a 404);
# question banks for trainers; a quiz's people and accommodations for staff, scoped to their unit
DOMAIN_POLICY.update({
    "quizzes.index": SIGNED_IN,
    "quizzes.detail": SIGNED_IN,
    "quizzes.banks": AUTHORS,
    "quizzes.bank_template": AUTHORS,
    "quizzes.bank_template_docx": AUTHORS,
    "quizzes.bank": AUTHORS,
    "quizzes.bank_new": AUTHORS,
    "quizzes.import_preview": AUTHORS,  # the uploader's own token only: anyone else gets 404
    "quizzes.import_picture": AUTHORS,
    "quizzes.question_media": SIGNED_IN,  # papers show question pictures to managers
    "quizzes.bank_export": AUTHORS,
    "quizzes.questions": AUTHORS,
    "quizzes.question": AUTHORS,
    "quizzes.question_new": AUTHORS,
    "quizzes.question_edit": AUTHORS,
    "quizzes.question_retire": AUTHORS,
    "quizzes.question_restore": AUTHORS,
    "quizzes.questions_tag": AUTHORS,
    "quizzes.builder_list": AUTHORS,
    "quizzes.builder_new": AUTHORS,
    "quizzes.builder_edit": AUTHORS,
    "quizzes.builder_summary": AUTHORS,
    "quizzes.builder_publish": AUTHORS,
    "quizzes.builder_take_over": AUTHORS,
    "quizzes.builder_preview": AUTHORS,
    "attempts.take": SIGNED_IN,
    "attempts.result": SIGNED_IN,
    "attempts.wrong_answers": SIGNED_IN,
    "attempts.wrong_answer_mastered": SIGNED_IN,
    "attempts.people": STAFF,
    "api.start_attempt": SIGNED_IN,
    "api.get_attempt": SIGNED_IN,
    "api.save_answer": SIGNED_IN,
    "api.submit_attempt": SIGNED_IN,
    "api.record_event": SIGNED_IN,
    "api.check_wrong_answer": SIGNED_IN,
})

# assessment: staff read periods, results, ranking, ledger and exports (scoped); city supervisors and admins
# preview and close; county and city supervisors and admins reverse (an appeal is the county's decision, not a
# grid's); supervisors import; a city supervisor decides post adjustments; managers read their own records and
# their county's published notice (drafts are staff-only, a grid supervisor's only their grid's part; a missing
# county is a 404)
APPEAL_DECIDERS = {COUNTY_SUP, CITY_SUP, ADMIN}
DOMAIN_POLICY.update({
    "assessment.periods": STAFF,
    "assessment.period": STAFF,
    "assessment.preview": {CITY_SUP, ADMIN},
    "assessment.close": {CITY_SUP, ADMIN},
    "assessment.period_ledger": STAFF,
    "assessment.ranking": STAFF,
    "assessment.export_file": STAFF,
    "assessment.notice": STAFF | {MANAGER},
    "assessment.notice_pdf": STAFF | {MANAGER},
    "assessment.publish_notice": {COUNTY_SUP, CITY_SUP},
    "assessment.reverse": APPEAL_DECIDERS,
    "assessment.deduction": STAFF,
    "assessment.post_adjustments": SUPERVISORS,
    "assessment.decide_post_adjustment": {CITY_SUP},
    "assessment.indicators": SUPERVISORS,
    "assessment.mine": {MANAGER},
    "api.period_results": SIGNED_IN,
    "api.ledger": SIGNED_IN,
    "api.failed_twice": SIGNED_IN,
})

# announcements: the inbox is everyone's; publishing and receipts are staff's; the outbox and robots the admin's.
DOMAIN_POLICY.update({
    "announcements.inbox": SIGNED_IN,
    "announcements.message": SIGNED_IN,
    "announcements.acknowledge": SIGNED_IN,
    "announcements.read_all": SIGNED_IN,
    "announcements.settings": SIGNED_IN,
    "announcements.announcement_page": STAFF,
    "announcements.manage": STAFF,
    "announcements.new": STAFF,
    "announcements.receipts": STAFF,
    "announcements.nudge": STAFF,
    "announcements.withdraw": STAFF,
    "announcements.lesson_receipts": STAFF,
    "announcements.nudge_lesson": STAFF,
    "announcements.outbox": {ADMIN},
    "announcements.outbox_message": {ADMIN},
    "announcements.outbox_retry": {ADMIN},
    "announcements.robots": {ADMIN},
    "announcements.robot_toggle": {ADMIN},
    "announcements.robot_test": {ADMIN},
    "api.inbox_list": SIGNED_IN,
    "api.inbox_message": SIGNED_IN,
    "api.inbox_acknowledge": SIGNED_IN,
})

# courses: reading, studying and training sessions for everyone signed in (drafts and others' sessions are 404s);
# authoring, revisions and attendance for trainers; study progress for staff, scoped to their unit
DOMAIN_POLICY.update({
    "courses.catalogue": SIGNED_IN,
    "courses.lesson": SIGNED_IN,
    "courses.mark_studied": SIGNED_IN,
    "courses.attachment": SIGNED_IN,
    "courses.upload_media": AUTHORS,
    "courses.media_file": SIGNED_IN,
    "courses.take_over": AUTHORS,
    "courses.progress": STAFF,
    "courses.manage": AUTHORS,
    "courses.new_lesson": AUTHORS,
    "courses.edit_lesson": AUTHORS,
    "courses.preview": AUTHORS,
    "courses.publish": AUTHORS,
    "courses.unpublish": AUTHORS,
    "courses.revisions": AUTHORS,
    "courses.revision": AUTHORS,
    "courses.diff": AUTHORS,
    "courses.rollback": AUTHORS,
    "courses.export": AUTHORS,
    "courses.training_sessions": SIGNED_IN,
    "courses.new_training_session": AUTHORS,
    "courses.training_session": SIGNED_IN,
    "courses.training_attendance": AUTHORS,
    "courses.cancel_training": AUTHORS,
    "courses.packs": AUTHORS,
    "courses.new_pack": AUTHORS,
    "courses.edit_pack": AUTHORS,
    "courses.move_pack_lesson": AUTHORS,
    "courses.preview_pack": AUTHORS,
    "courses.publish_pack": AUTHORS,
    "api.lessons_index": SIGNED_IN,
    "api.lesson_detail": SIGNED_IN,
    "api.lesson_studied": SIGNED_IN,
})

# reports: the risk board for supervisors (scoped to their unit); period pages and a person's page for staff
# (someone outside the viewer's scope is a 404); appeal reversals by county and city supervisors and admins;
# trainer analytics, regrading and point-to-point suggestions for trainers and admins
DOMAIN_POLICY.update({
    "reports.supervisor_home": SUPERVISORS,
    "reports.supervisor_home_xlsx": SUPERVISORS,
    "reports.period": STAFF,
    "reports.period_xlsx": STAFF,
    "reports.person": STAFF,
    "reports.person_xlsx": STAFF,
    "reports.reverse_entry": APPEAL_DECIDERS,
    "reports.trainer_home": AUTHORS,
    "reports.trainer_home_xlsx": AUTHORS,
    "reports.quiz": AUTHORS,
    "reports.quiz_xlsx": AUTHORS,
    "reports.regrade": AUTHORS,
    "reports.suggestions": AUTHORS,
    "reports.suggestions_xlsx": AUTHORS,
    "reports.suggestion_session": AUTHORS,
})

# organisation and people pages (issue 22): the administrator's alone
DOMAIN_POLICY.update({
    "org.tree": {ADMIN},
    "org.unit": {ADMIN},
    "org.rename": {ADMIN},
    "org.move": {ADMIN},
    "org.set_active": {ADMIN},
    "org.set_place": {ADMIN},
    "accounts.add_person": {ADMIN},
    "accounts.edit_person": {ADMIN},
})

# appeals (申诉): a manager opens one on their own entry; supervisors (a grid's included) read their scope's queue
# and appeals and comment; county and city supervisors and admins decide; the appeal and its attachment are the
# manager's own or in the reader's scope (anything else is a 404)
DOMAIN_POLICY.update({
    "assessment.appeal_new": {MANAGER},
    "assessment.appeals_queue": SUPERVISORS,
    "assessment.appeal": SUPERVISORS | {MANAGER},
    "assessment.appeal_attachment": SUPERVISORS | {MANAGER},
    "assessment.appeal_comment": SUPERVISORS,
    "assessment.appeal_decide": APPEAL_DECIDERS,
})

# the assessment policy's versions (issue 22): the administrator's
DOMAIN_POLICY.update({"assessment.policy": {ADMIN}})

# field check-ins: the phone page for managers; the board for supervisors (line management: not trainers or
# administrators); a person's check-ins and photos for the person and their supervisors (anyone else gets 404)
DOMAIN_POLICY.update({
    "field.checkin": {MANAGER},
    "field.checkin_notice": {MANAGER},
    "field.checkin_submit": {MANAGER},
    "field.checkin_board": {GRID_SUP, COUNTY_SUP, CITY_SUP},
    "field.checkin_board_xlsx": {GRID_SUP, COUNTY_SUP, CITY_SUP},
    "field.checkin_person": SIGNED_IN,
    "field.checkin_photo": SIGNED_IN,
})

# shop visits (lms.field): managers and supervisors visit; visits and photos for the person and their supervisors
# (someone else's is a 404); tickets for managers (theirs) and handlers; the R3 queue for supervisors; the
# checklist for trainers and admins
DOMAIN_POLICY.update({
    "field.visit_new": {MANAGER, GRID_SUP, COUNTY_SUP, CITY_SUP},
    "field.visit_list": SUPERVISORS | {MANAGER},
    "field.visit_detail": SUPERVISORS | {MANAGER},
    "field.visit_photo": SUPERVISORS | {MANAGER},
    "field.checklist": AUTHORS,
    "field.ticket_list": SUPERVISORS | {MANAGER},
    "field.ticket_photo": SUPERVISORS | {MANAGER},  # a shop's own report's photo: its handlers and the shop's manager
    "field.ticket_answer": SUPERVISORS,
    "field.ticket_close": SUPERVISORS,
    "field.r3_queue": SUPERVISORS,
    "field.r3_decide": SUPERVISORS,
    "field.visit_compliance": SUPERVISORS,
    "field.visit_compliance_xlsx": SUPERVISORS,
})

# field: the shop registry (lms/field/shop_views.py): the list and a shop's page for managers (their own shops) and
# supervisors and admins (their scope; another scope's shop is a 404); adding and full edits for admins and county
# or city supervisors, the manager alone for a grid's supervisor; the import for admins
FIELD_PEOPLE = {MANAGER, GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN}
DOMAIN_POLICY.update({
    "field.shops_list": FIELD_PEOPLE,
    "field.shop_page": FIELD_PEOPLE,
    "field.shop_new": {COUNTY_SUP, CITY_SUP, ADMIN},
    "field.shop_edit": {GRID_SUP, COUNTY_SUP, CITY_SUP, ADMIN},
    "field.shop_status": {COUNTY_SUP, CITY_SUP, ADMIN},
    "field.shops_import": {ADMIN},
    "field.shops_import_preview": {ADMIN},  # the uploader's own token only: anyone else gets 404
    "field.shops_template": {ADMIN},
})

# the field day's daily plan and report (issue 24): 今日工作 is the manager's own; the board, its export and the
# day's assignments for supervisors (their scope) and admins; a photo for its owner and their supervisors (else 404);
# the process indicators' points for the admin (the city and every county) and county/city supervisors (theirs)
DOMAIN_POLICY.update({
    "field.daily_today": {MANAGER},
    "field.daily_plan": {MANAGER},
    "field.daily_activity": {MANAGER},
    "field.daily_progress": {MANAGER},
    "field.daily_photo": SIGNED_IN,
    "field.daily_board": SUPERVISORS,
    "field.daily_board_xlsx": SUPERVISORS,
    "field.daily_assign": SUPERVISORS,
    "field.indicator_weights": {COUNTY_SUP, CITY_SUP, ADMIN},
})

# outreach: the shop page is public but token-guarded (a placeholder or bad token is a 404); the manager's page for
# managers (their own shops, shared from there) and supervisors and admins (their scope, read-only)
DOMAIN_POLICY.update({
    "outreach.shop_page": EVERYONE,
    "outreach.shop_check": EVERYONE,  # POST only
    "outreach.shop_confirm": EVERYONE,  # POST only
    "outreach.shop_report": EVERYONE,  # POST only
    "outreach.shop_lesson_media": EVERYONE,  # only a pack lesson's own pictures, through an honoured token
    "outreach.shop_lesson_file": EVERYONE,  # likewise, the files beside a pack lesson from content/
    "outreach.manager_home": SUPERVISORS | {MANAGER},
    "outreach.make_link": {MANAGER},  # POST only
    "outreach.revoke_link": {MANAGER},  # POST only
    "outreach.shop_qr": {MANAGER},  # the manager's own shop with a link in force; anyone else's is a 404
    "outreach.make_all_links": {MANAGER},  # POST only
    # a shop's counter poster (one, or all of the manager's in one PDF) carries its link: its own manager only
    "outreach.shop_poster": {MANAGER},
    "outreach.all_posters": {MANAGER},
    # reminding the shops not done: the manager's own shops (their links are in the messages)
    "outreach.reminders_page": {MANAGER},
    "outreach.record_all_reminders": {MANAGER},  # POST only
    "outreach.record_reminder": {MANAGER},  # POST only
    # a shop's page with its staff contacts (personal data): its manager, and supervisors of its grid or county
    # read-only; not trainers, not administrators
    "outreach.shop_detail": {MANAGER, GRID_SUP, COUNTY_SUP, CITY_SUP},
    "outreach.add_contact": {MANAGER},  # POST only
    "outreach.remove_contact": {MANAGER},  # POST only
    "outreach.coverage": SUPERVISORS,  # the coverage of the shop pack, scoped like the shops
    "outreach.coverage_xlsx": SUPERVISORS,
})

# outreach's training sessions for shops: the check-in page is public but token-guarded (a bad token is a 404); the
# sessions for managers (their own: another's is a 404) and supervisors and admins (their scope, read-only)
DOMAIN_POLICY.update({
    "outreach.session_checkin": EVERYONE,
    "outreach.sessions": SUPERVISORS | {MANAGER},
    "outreach.session_new": {MANAGER},
    "outreach.session_detail": SUPERVISORS | {MANAGER},
    "outreach.session_edit": {MANAGER},
    "outreach.session_cancel": {MANAGER},  # POST only
    "outreach.session_checkin_remove": {MANAGER},  # POST only
})
