def test_probe(api):
    from tests.central.test_api_stock_production import setup_plant, post
    setup_plant(api)
    print(post(api, "/stock/receipts", {"item": "FLOUR", "batch": "F1", "qty": "10.5", "unit_cost": "1.2", "supplier_lot": "L1"}))
