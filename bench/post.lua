-- wrk script: POST an empty JSON object (allocate the next free address).
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
