#!/bin/sh
# The personal account of qoltanbad (issue 7) through its API: a real
# daemon on loopback, keys from real applications, curl and openssl.
# Sign-in (replay, SIGN key, foreign CA, expired, revoked), keys and
# their CSV, revocation seen in the list, the CRL (openssl verify
# -crl_check) and OCSP, an employee's re-issuance held until the first
# head of the same BIN approves it, no user seeing or touching another's
# keys, sessions expiring, re-issuance with an expired key refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/portald-lib.sh"
. "$(dirname "$0")/account-lib.sh"

A_IIN=850314372249        # ӘБІЛҚАЙЫР ЕРЛАН, head of ЖШС "Алтын Дала"
ALTYN_BIN=060340138014
E_IIN=781105372291        # НҰРЛАНОВ ДӘУРЕН, an employee there
B_IIN=900722433036        # ҚҰРМАНҒАЛИ АЙГҮЛ, head of another organisation
KOKZH_BIN=151140052424

pd_init --test-mode --no-captcha
pd_start

get_keys a individual "$A_IIN" "" pkcs12
get_keys achair chairman "$A_IIN" "$ALTYN_BIN" pkcs12
get_keys e employee "$E_IIN" "$ALTYN_BIN" pkcs12
get_keys b individual "$B_IIN" "" pkcs12
get_keys bchair chairman "$B_IIN" "$KOKZH_BIN" pkcs12
A_AUTH=$(serial_of "$T/a-auth.pem"); A_SIGN=$(serial_of "$T/a-sign.pem")
B_AUTH=$(serial_of "$T/b-auth.pem")

# ---- sign-in ----
acct_challenge
acct_session "$T/a-auth.key" "$T/a-auth.pem"
expect_api 201 "" "sign-in with the AUTH key"
out=$(printf '%s' "$body" | jq -r '.holder.iin, .holder.full_name, .expires_in')
expect_match "^$A_IIN\$"
expect_match '^ӘБІЛҚАЙЫР ЕРЛАН ҚАЙРАТҰЛЫ$'
expect_match '^900$'
ATOK=$TOK
api POST /api/v1/account/session "$T/sess"
expect_api 401 challenge_invalid "a replayed challenge"
acct_challenge
acct_session "$T/a-sign.key" "$T/a-sign.pem"
expect_api 401 not_auth_key "sign-in with the SIGN key"
acct_challenge
acct_session "$T/b-auth.key" "$T/a-auth.pem"
expect_api 401 signature_invalid "another key's signature"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/self.key" -subj "/CN=self" -days 3 \
	-out "$T/self.pem" 2>/dev/null
acct_challenge
acct_session "$T/self.key" "$T/self.pem"
expect_api 401 chain_invalid "a certificate of another CA"
api GET /api/v1/account/keys ""
expect_api 401 unauthorized "keys without a session"

# ---- keys, CSV ----
TOK=$ATOK
acct GET /api/v1/account/keys
expect_api 200 "" "A's keys"
out=$(printf '%s' "$body" | jq -r '.count, ([.keys[].status] | unique | join(",")), ([.keys[].storage] | unique | join(","))')
expect_match '^4$'
expect_match '^valid$'
expect_match '^pkcs12$'
out=$(printf '%s' "$body" | jq -r '.keys[].serial')
expect_match "^$A_AUTH\$"
check "B's keys are not in A's list" sh -c "! printf '%s' '$out' | grep -q '$B_AUTH'"
acct GET /api/v1/account/keys.csv
expect_api 200 "" "CSV export"
out=$body
expect_match '^serial,purpose,status,application,subject_type,bin,storage,not_before,not_after,days_left'
expect_match "^$A_SIGN,sign,valid,[0-9]{12},individual,,pkcs12,"
expect_match ",chairman,$ALTYN_BIN,pkcs12,"
check "CSV has a header and 4 rows" test "$(printf '%s\n' "$body" | grep -c .)" -eq 5

# ---- profile ----
acct GET /api/v1/account/profile
expect_api 200 "" "profile"
out=$(printf '%s' "$body" | jq -r '.surname, .language, .notify_email, .email')
expect_match '^ӘБІЛҚАЙЫР$'
expect_match '^kk$'
expect_match '^true$'
expect_match '^a@example.kz$'
printf '{"language":"ru","notify_email":false}' >"$T/pf"
acct POST /api/v1/account/profile "$T/pf"
expect_api 200 "" "profile settings"
printf '{"language":"de"}' >"$T/pf"
acct POST /api/v1/account/profile "$T/pf"
expect_api 400 invalid_value "an unknown language"
acct GET /api/v1/account/profile
out=$(printf '%s' "$body" | jq -r '.language, .notify_email, .notify_sms')
expect_match '^ru$'
expect_match '^false$'
expect_match '^true$'

# ---- nobody sees or revokes another's keys ----
acct_signin b
expect_api 201 "" "B signs in"
BTOK=$TOK
printf '{"reason":"key_compromise"}' >"$T/rv"
acct POST "/api/v1/account/keys/$A_AUTH/revoke" "$T/rv"
expect_api 404 certificate_not_found "B revoking A's key"
check "A's key still valid" test "$(db "SELECT revoked_at FROM certificate WHERE serial='$A_AUTH'")" = 0
acct GET /api/v1/account/keys
out=$(printf '%s' "$body" | jq -r '.count, .keys[].serial')
expect_match '^4$'
check "A's serial not in B's list" sh -c "! printf '%s' '$out' | grep -q '$A_AUTH'"
acct GET "/api/v1/account/requests/$(cat "$T/a.number")"
expect_api 404 application_not_found "B reading A's application"

# ---- revocation: the list, the CRL, OCSP ----
TOK=$ATOK
printf '{"reason":"bogus"}' >"$T/rv"
acct POST "/api/v1/account/keys/$A_SIGN/revoke" "$T/rv"
expect_api 400 invalid_reason "an unknown reason"
printf '{"reason":"key_compromise"}' >"$T/rv"
acct POST "/api/v1/account/keys/$A_SIGN/revoke" "$T/rv"
expect_api 200 "" "A revokes A's SIGN key"
acct POST "/api/v1/account/keys/$A_SIGN/revoke" "$T/rv"
expect_api 409 already_revoked "revoking it again"
acct GET /api/v1/account/keys
out=$(printf '%s' "$body" | jq -r ".keys[] | select(.serial==\"$A_SIGN\") | .status + \" \" + .revocation_reason")
expect_match '^revoked key_compromise$'
curl -s "$PD_URL/api/v1/ca/chain.pem" >"$T/chain.pem"
curl -s "$PD_URL/crl/qoltanbad.crl" | openssl crl -inform DER >"$T/crls.pem"
curl -s "$PD_URL/crl/qoltanbad-root.crl" | openssl crl -inform DER >>"$T/crls.pem"
expect_exit 2 openssl verify -crl_check_all -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" "$T/a-sign.pem"
expect_match 'certificate revoked'
expect_exit 0 openssl verify -crl_check_all -CAfile "$T/chain.pem" -CRLfile "$T/crls.pem" "$T/a-auth.pem"
awk '/BEGIN/{n++} n==1' "$T/chain.pem" >"$T/issuing.pem"
expect_exit 0 openssl ocsp -issuer "$T/issuing.pem" -cert "$T/a-sign.pem" -url "$PD_URL/ocsp" \
	-CAfile "$T/chain.pem"
expect_match ': revoked'

# ---- an employee's re-issuance waits for the first head ----
acct_signin e
expect_api 201 "" "the employee signs in"
ETOK=$TOK
E_AUTH=$(serial_of "$T/e-auth.pem")
reissue_body "$T/ri" e "$E_AUTH" pkcs12 new-e@example.kz
acct POST /api/v1/account/reissue "$T/ri"
expect_api 201 "" "the employee's re-issuance"
EN=$(printf '%s' "$body" | jq -r .number)
out=$(printf '%s' "$body" | jq -r '.status, .reissue.approval, .email, (.certificates // [] | length)')
expect_match '^pending$'
expect_match '^awaiting_head$'
expect_match '^new-e@example.kz$'
expect_match '^0$'
acct POST /api/v1/account/reissue "$T/ri"
expect_api 409 key_reused "the same request again"
expect_exit 1 "$QOLTANBAD" ra approve "$EN" --data "$PD_DIR"
expect_match 'awaiting_head|first head'
acct GET /api/v1/account/approvals
expect_api 403 not_head "approvals by the employee"
acct POST "/api/v1/account/approvals/$EN/approve" ""
expect_api 403 not_head "the employee approving"
TOK=$BTOK
acct POST "/api/v1/account/approvals/$EN/approve" ""
expect_api 403 not_head "an individual's key approving"
acct_signin bchair
acct POST "/api/v1/account/approvals/$EN/approve" ""
expect_api 404 application_not_found "the head of another BIN approving"
acct GET /api/v1/account/approvals
out=$(printf '%s' "$body" | jq -r '.count')
expect_match '^0$'
TOK=$ATOK
acct POST "/api/v1/account/approvals/$EN/approve" ""
expect_api 403 not_head "the head signed in with an individual key"
TOK=$ETOK
acct GET "/api/v1/account/requests/$EN"
out=$(printf '%s' "$body" | jq -r '.status, .reissue.approval')
expect_match '^pending$'
expect_match '^awaiting_head$'
acct_signin achair
ACTOK=$TOK
acct GET /api/v1/account/approvals
out=$(printf '%s' "$body" | jq -r '.count, .approvals[0].number, .approvals[0].full_name')
expect_match '^1$'
expect_match "^$EN\$"
expect_match '^НҰРЛАНОВ ДӘУРЕН'
acct POST "/api/v1/account/approvals/$EN/approve" ""
expect_api 200 "" "the first head approves"
out=$(printf '%s' "$body" | jq -r '.status, .reissue.approval, (.certificates | length)')
expect_match '^issued$'
expect_match '^approved$'
expect_match '^2$'
acct POST "/api/v1/account/approvals/$EN/approve" ""
expect_api 409 already_decided "approving twice"
TOK=$ETOK
acct GET /api/v1/account/requests
out=$(printf '%s' "$body" | jq -r '.count, .requests[0].number, .requests[0].status')
expect_match '^2$'
expect_match "^$EN\$"
expect_match '^issued$'
acct GET "/api/v1/account/requests/$EN"
check "issued certificates for installation" test "$(printf '%s' "$body" | jq '.certificate_pems | length')" -eq 2
acct GET "/api/v1/applications/$EN/certificates"
expect_api 200 "" "the holder's session instead of the access token"
TOK=$BTOK
acct GET "/api/v1/applications/$EN/certificates"
expect_api 404 application_not_found "another holder's session on that application"
TOK=$ETOK

# ---- an individual's re-issuance is issued at once ----
TOK=$ATOK
reissue_body "$T/ri" a "$A_AUTH" kaztoken a@example.kz
acct POST /api/v1/account/reissue "$T/ri"
expect_api 201 "" "A's re-issuance onto a token"
AN=$(printf '%s' "$body" | jq -r .number)
out=$(printf '%s' "$body" | jq -r '.status, .reissue.approval, .storage, .subject_type')
expect_match '^issued$'
expect_match '^not_needed$'
expect_match '^kaztoken$'
expect_match '^individual$'
api GET "/api/v1/applications/$AN/certificates" "" -H "X-Access-Token: $(printf '%s' "$body" | jq -r .access_token)"
printf '%s' "$body" | jq -r '.certificates[] | select(.purpose=="auth") | .pem' >"$T/a2-auth.pem"
cp "$T/a-rauth.key" "$T/a2-auth.key"
jq '.serial = "00"' "$T/ri" >"$T/ri-bad"
acct POST /api/v1/account/reissue "$T/ri-bad"
expect_api 404 certificate_not_found "re-issuance of an unknown serial"

# ---- sessions expire; the clock moves ----
pd_stop
pd_start --test-clock-offset 1000
acct GET /api/v1/account/keys
expect_api 401 session_expired "a session past its 15 minutes"
pd_stop
pd_start --test-clock-offset $((366 * 86400))
acct_signin a
expect_api 401 certificate_expired "sign-in with an expired AUTH key"
acct_signin a2
expect_api 201 "" "sign-in with the re-issued token key"
ACH_AUTH=$(serial_of "$T/achair-auth.pem")
reissue_body "$T/ri" achair "$ACH_AUTH" pkcs12 a@example.kz
acct POST /api/v1/account/reissue "$T/ri"
expect_api 409 key_expired "re-issuance with an expired key"
expect_match_body() { out=$body; expect_match "$1"; }
expect_match_body 'POST /api/v1/applications'
acct GET /api/v1/account/keys
out=$(printf '%s' "$body" | jq -r '[.keys[] | .status] | sort | join(",")')
expect_match '^expired,expired,expired,revoked,valid,valid$'

# ---- a revoked AUTH key ends its session and cannot sign in ----
pd_stop
pd_start
TOK=$BTOK
acct_signin b
printf '{"reason":"cessation_of_operation"}' >"$T/rv"
acct POST "/api/v1/account/keys/$B_AUTH/revoke" "$T/rv"
expect_api 200 "" "B revokes B's AUTH key"
acct GET /api/v1/account/keys
expect_api 401 certificate_revoked "the session of a revoked AUTH key"
acct_signin b
expect_api 401 certificate_revoked "sign-in with a revoked AUTH key"
acct_signin e
acct POST /api/v1/account/logout ""
expect_api 200 "" "sign-out"
acct GET /api/v1/account/keys
expect_api 401 unauthorized "after sign-out"

pd_stop
finish
