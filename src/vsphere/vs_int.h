/* vs_int.h: XML helpers of the vSphere client (tests and vsphere.c). */
#ifndef MTV_VS_INT_H
#define MTV_VS_INT_H

#include <libxml/tree.h>

/* One SOAP call; *docp (owned by the caller) holds *resp, the
 * <METHOD>Response element. Re-logs in once on NotAuthenticated. */
int vs_call(struct vs_client *vs, const char *method, const char *type,
	    const char *moid, const char *args, const char *what,
	    xmlDocPtr *docp, xmlNodePtr *resp, struct mtv_err *err);
/* First element child named name (any name when NULL). */
xmlNodePtr vs_xml_child(xmlNodePtr n, const char *name);
/* A vim25 value as JSON (see vs_props). */
json_object *vs_xml_to_json(xmlNodePtr n);

#endif
