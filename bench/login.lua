-- wrk script: sign in as the bench admin ($ORIGIN for the CSRF check); each request hashes once.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Origin"] = os.getenv("ORIGIN")
wrk.body = '{"email":"admin@bench.test","password":"bench admin passphrase"}'
