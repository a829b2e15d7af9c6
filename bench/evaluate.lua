-- wrk script: POST the seed's weights to /api/v1/evaluate with a read-only API token ($TOKEN).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
wrk.body = '{"weights":{"identity_policy":15,"l7_policy":10,"observability":15,"multi_cluster":10,"encryption":10,"performance_footprint":10,"bgp_underlay":10,"operational_simplicity":10,"governance":10}}'
