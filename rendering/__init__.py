"""Words, dates and the one template environment that mails and pages share (`rendering.env`)."""
