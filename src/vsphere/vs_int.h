/* vs_int.h: what the files of src/vsphere/ share: the client, the SOAP
 * call, XML helpers (vs_xml.c) and the property collector (tests too). */
#ifndef MTV_VS_INT_H
#define MTV_VS_INT_H

#include <curl/curl.h>
#include <libxml/tree.h>

#include "vsphere/vsphere.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

struct vs_view {
	char *type;
	char *moid;
};

struct vs_client {
	CURL *h;
	struct curl_slist *hdrs;
	char *url;
	char *user;
	struct secret *pw;
	unsigned char pin[32];
	int pinlen;
	bool pin_bad;
	int pin_port;			/* local port of the verified connection */
	char *pin_pem;			/* the pinned leaf (PEM) */
	int gen;			/* logins so far: session objects die */
	bool logged_in;
	char *pc, *view_mgr, *session_mgr, *root, *file_mgr, *search;
	char *event_mgr, *task_mgr;	/* NULL: the endpoint has none */
	char *guest_mgr;		/* GuestOperationsManager, or NULL */
	char *guest_pm, *guest_fm;	/* its process and file managers */
	char *ca_file;			/* vs_opts.ca_file (transfers) */
	bool insecure;			/* vs_opts.insecure */
	bool once;			/* a dropped call is not sent again */
	char *wpc;			/* private collector for waits */
	json_object *about;		/* ServiceContent.about (vs_about) */
	volatile sig_atomic_t *cancel;	/* set: waits end (vs_set_cancel) */
	volatile sig_atomic_t *abandon;	/* set: no wait for a canceled task */
	bool waiting;			/* in WaitForUpdatesEx: abortable */
	struct vs_view views[8];
	size_t nviews;
	long calls;
	char fault[128];		/* type of the last fault, "" if none */
	char errbuf[CURL_ERROR_SIZE];
};

/* ---- SOAP (vsphere.c) ---- */

/* One SOAP call; *docp (owned by the caller) holds *resp, the
 * <METHOD>Response element. Re-logs in once on NotAuthenticated. */
int vs_call(struct vs_client *vs, const char *method, const char *type,
	    const char *moid, const char *args, const char *what,
	    xmlDocPtr *docp, xmlNodePtr *resp, struct mtv_err *err);
/* TLS of vs (CA file, insecure, the pin's certificate info) on handle h,
 * which may be another than vs->h (guest file transfers). */
void vs_tls_apply(struct vs_client *vs, CURL *h);
/* Whether the leaf certificate of h's last handshake matches vs's pin: 1
 * it does, 0 it does not, -1 h made no new handshake (a reused
 * connection). *pem (may be NULL) gets the leaf when it matches. */
int vs_pin_check(struct vs_client *vs, CURL *h, char **pem);
/* The MTV_E* code of a vim25 fault type. */
int vs_fault_code(const char *type);
/* Text of returnval/<name> (returnval itself when name is NULL) as an
 * owned string, or NULL. */
char *vs_ret_field(xmlNodePtr resp, const char *name);

/* ---- Guest Operations (vs_guest.c) ---- */

#ifdef MTV_TESTING
/* The transfer URL with a "*" host replaced by vs_url's host and port. */
char *vs_guest_url(const char *url, const char *vs_url);
#endif

/* ---- XML (vs_xml.c) ---- */

/* First element child named name (any name when NULL). */
xmlNodePtr vs_xml_child(xmlNodePtr n, const char *name);
/* Next element sibling named name (any name when NULL). */
xmlNodePtr vs_xml_next(xmlNodePtr n, const char *name);
/* Text of n (owned by the caller), "" when empty or NULL. */
char *vs_xml_text(xmlNodePtr n);
/* xsi:type of n without its prefix (owned by the caller), or NULL. */
char *vs_xml_type(xmlNodePtr n);
/* A vim25 value as JSON (see vs_props). */
json_object *vs_xml_to_json(xmlNodePtr n);

#endif
