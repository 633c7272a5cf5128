/* The bare libmicrohttpd server the benchmarks measure netsot against: the same daemon flags
 * as netsot, the thread pool given, one static JSON body, answered on the second call as
 * netsot does. A third argument makes the body that many bytes long (a JSON string padded
 * with 'x'): the most any server on this machine could answer with a page of that size.
 * Usage: hello [PORT [THREADS [BODY_BYTES]]] */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hello_small[] = "{\"status\":\"ok\"}";
static char *hello_body = (char *)hello_small;
static size_t hello_len = sizeof(hello_small) - 1;

static enum MHD_Result
hello_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	static int marker;
	struct MHD_Response *resp;
	enum MHD_Result ok;

	(void)cls, (void)url, (void)method, (void)version, (void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = &marker;
		return MHD_YES;
	}
	*upload_data_size = 0;
	resp = MHD_create_response_from_buffer(hello_len, hello_body,
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ok = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ok;
}

int
main(int argc, char **argv)
{
	unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 8081;
	unsigned threads = argc > 2 ? (unsigned)atoi(argv[2]) : 4;
	long body = argc > 3 ? atol(argv[3]) : 0;
	struct MHD_Daemon *d;
	sigset_t set;
	int sig;

	if (body > 16 && body <= (1L << 24)) {
		hello_len = (size_t)body;
		hello_body = malloc(hello_len);
		if (hello_body == NULL)
			return 1;
		memset(hello_body, 'x', hello_len);
		memcpy(hello_body, "{\"pad\":\"", 8);
		memcpy(hello_body + hello_len - 2, "\"}", 2);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO,
	    (unsigned short)port, NULL, NULL, hello_access, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "hello: cannot listen on port %u\n", port);
		return 1;
	}
	fprintf(stderr, "hello listening on port %u\n", port);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	if (hello_body != hello_small)
		free(hello_body);
	return 0;
}
