-- API tokens may expire; a token past `expires_at` authenticates nothing.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
