"""Mail: rendering (`rendering`), the message and SMTP (`sending`), at most once per key (`outbox`), the link
a mail carries (`links`), and a project's notices as mails (`notices`).

Mails are bilingual by default (English, then Traditional Chinese; `settings.mail_language`); a teacher or
student whose directory entry names a `language` gets their mail in it. Supervisors get an action link
(`{public_url}/a/{token}`, domain.links) for the invitation, the evaluation and their reminders; the Office of
Student Affairs gets one to verify club hours; students and the center get a link to the project.
"""
