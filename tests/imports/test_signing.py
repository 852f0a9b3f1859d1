from imports.signing import sign, signature_ok


def test_our_signature_accepts_upper_case_hex_and_refuses_a_wrong_one():
    body, secret = b'{"id": 1}', "s3cret"
    header = sign(body, secret)
    assert signature_ok(body, header, secret)
    assert signature_ok(body, "sha256=" + header.removeprefix("sha256=").upper(), secret)
    assert signature_ok(body, f"  {header} ", secret)
    assert not signature_ok(body, header, "other")
    assert not signature_ok(body + b" ", header, secret)
    assert not signature_ok(body, "", secret)
    assert not signature_ok(body, header, "")
