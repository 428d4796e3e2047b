/* Object identifiers of the NCA RK profiles (domain.md section 2). */
#ifndef QOLTANBA_OIDS_H
#define QOLTANBA_OIDS_H

/* Roles, in Extended Key Usage. */
#define QT_OID_ROLE_INDIVIDUAL       "1.2.398.3.3.4.1.1"
#define QT_OID_ROLE_LEGAL_ENTITY     "1.2.398.3.3.4.1.2"
#define QT_OID_ROLE_FIRST_HEAD       "1.2.398.3.3.4.1.2.1"
#define QT_OID_ROLE_SIGNING_RIGHT    "1.2.398.3.3.4.1.2.2"
#define QT_OID_ROLE_FINANCIAL        "1.2.398.3.3.4.1.2.3"
#define QT_OID_ROLE_HR               "1.2.398.3.3.4.1.2.4"
#define QT_OID_ROLE_EMPLOYEE         "1.2.398.3.3.4.1.2.5"

#define QT_OID_EKU_CLIENT_AUTH       "1.3.6.1.5.5.7.3.2"
#define QT_OID_EKU_EMAIL_PROTECTION  "1.3.6.1.5.5.7.3.4"

/* Certificate policies. */
#define QT_OID_POLICY_LE_SIGN        "1.2.398.3.3.2.1"
#define QT_OID_POLICY_LE_AUTH        "1.2.398.3.3.2.2"
#define QT_OID_POLICY_IND_SIGN       "1.2.398.3.3.2.3"
#define QT_OID_POLICY_IND_AUTH       "1.2.398.3.3.2.4"

/* Key storage extension: SEQUENCE { OID }. */
#define QT_OID_KEY_STORAGE           "1.2.398.3.3.5"
#define QT_OID_STORAGE_PKCS12        "1.2.398.3.3.5.1.1"
#define QT_OID_STORAGE_IDCARD        "1.2.398.3.3.5.2.1"
#define QT_OID_STORAGE_KAZTOKEN      "1.2.398.3.3.5.2.2"
#define QT_OID_STORAGE_ETOKEN72K     "1.2.398.3.3.5.2.3"
#define QT_OID_STORAGE_ETOKEN5110    "1.2.398.3.3.5.2.4"
#define QT_OID_STORAGE_JACARTA       "1.2.398.3.3.5.2.5"
#define QT_OID_STORAGE_AKEY          "1.2.398.3.3.5.2.6"

/* Key algorithms of NCA GOST keys. */
#define QT_OID_GOST2004_KEY          "1.2.398.3.10.1.1.1.1"
#define QT_OID_GOST2015_512_KEY      "1.2.398.3.10.1.1.2.2"

#define QT_NCA_CPS_URL               "http://pki.gov.kz/cps"

#endif
