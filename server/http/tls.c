#include "tls.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* A certificate chain or key in PEM is small; anything larger is the wrong file. */
#define TLS_FILE_MAX (256 * 1024)

/* The whole file, NUL-terminated (the daemon takes C strings), or NULL with err. */
static char *
tls_read(const char *flag, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot read %s: %s", flag, path, strerror(errno));
		return NULL;
	}
	/* One byte more than the cap tells a file over it; one more again for the NUL. */
	if ((buf = malloc(TLS_FILE_MAX + 2)) != NULL) {
		n = fread(buf, 1, TLS_FILE_MAX + 1, f);
		buf[n] = '\0';
	}
	if (buf == NULL || ferror(f))
		snprintf(err, errlen, "%s: cannot read %s", flag, path);
	else if (n > TLS_FILE_MAX)
		snprintf(err, errlen, "%s: %s is larger than %d bytes", flag, path, TLS_FILE_MAX);
	else if (strstr(buf, "-----BEGIN ") == NULL)
		snprintf(err, errlen, "%s: %s is not PEM", flag, path);
	else {
		fclose(f);
		return buf;
	}
	fclose(f);
	if (buf != NULL)
		sodium_memzero(buf, TLS_FILE_MAX + 2);
	free(buf);
	return NULL;
}

int
tls_load(struct server *srv, struct MHD_OptionItem opts[TLS_OPTS], char *err, size_t errlen)
{
	const struct config *cfg = srv->cfg;

	opts[0] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	if (cfg->tls_cert == NULL && cfg->tls_key == NULL)
		return 0;
	if (cfg->tls_cert == NULL || cfg->tls_key == NULL) {
		snprintf(err, errlen, "--tls-cert and --tls-key go together; %s is missing",
		    cfg->tls_cert == NULL ? "--tls-cert" : "--tls-key");
		return -1;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "this libmicrohttpd was built without TLS; "
		    "serve HTTPS through a proxy instead");
		return -1;
	}
	if ((srv->tls_cert = tls_read("--tls-cert", cfg->tls_cert, err, errlen)) == NULL ||
	    (srv->tls_key = tls_read("--tls-key", cfg->tls_key, err, errlen)) == NULL) {
		tls_free(srv);
		return -1;
	}
	opts[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert };
	opts[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key };
	opts[2] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	return 0;
}

void
tls_free(struct server *srv)
{
	if (srv->tls_key != NULL)
		sodium_memzero(srv->tls_key, strlen(srv->tls_key));
	free(srv->tls_key);
	free(srv->tls_cert);
	srv->tls_key = srv->tls_cert = NULL;
}
