/* HTTPS served by libmicrohttpd itself: the certificate and key of --tls-cert and --tls-key,
 * read once at start and handed to the daemon as options. */
#ifndef NETSOT_TLS_H
#define NETSOT_TLS_H

#include <stddef.h>

#include "http.h"

/* Room for the options tls_load writes: certificate, key, end. */
#define TLS_OPTS 3

/* Reads the files into srv and fills opts (just MHD_OPTION_END when neither flag is given).
 * -1 with one line in err when only one is given, a file cannot be read or is not PEM, or
 * libmicrohttpd was built without TLS. */
int tls_load(struct server *srv, struct MHD_OptionItem opts[TLS_OPTS], char *err,
    size_t errlen);
/* Wipes the key and frees both. */
void tls_free(struct server *srv);

#endif
