-- 0007: people's e-mail addresses, for notices sent over SMTP.
ALTER TABLE users ADD COLUMN email text;
