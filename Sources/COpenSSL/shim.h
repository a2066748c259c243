#ifndef ALIPAYSIGN_COPENSSL_SHIM_H
#define ALIPAYSIGN_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

/* Function-like macros do not import into Swift (docs/BACKEND.md §2). */
static inline void shim_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline unsigned long shim_XN_FLAG_RFC2253_UTF8(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }
#endif
