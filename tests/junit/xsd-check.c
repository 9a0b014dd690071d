/* xsd-check.c: validate XML files against an XML Schema with libxml2 (a
 * dependency of mtv-scenario already), so the JUnit tests need neither
 * xmllint nor the network. Usage: xsd-check SCHEMA FILE...; prints each
 * problem as FILE:LINE: message and exits 1 when a file is not valid. */
#include <stdio.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

/* Validate path against the compiled schema s; 0 when valid. */
static int
check_file(xmlSchemaPtr s, const char *path)
{
	xmlSchemaValidCtxtPtr v = xmlSchemaNewValidCtxt(s);
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	int r = 1;

	if (doc == NULL)
		fprintf(stderr, "%s: not well-formed XML\n", path);
	else if (v && xmlSchemaValidateDoc(v, doc) == 0)
		r = 0;
	xmlFreeDoc(doc);
	xmlSchemaFreeValidCtxt(v);
	return r;
}

int
main(int argc, char **argv)
{
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr s;
	int i, bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: xsd-check SCHEMA FILE...\n");
		return 2;
	}
	pc = xmlSchemaNewParserCtxt(argv[1]);
	s = pc ? xmlSchemaParse(pc) : NULL;
	xmlSchemaFreeParserCtxt(pc);
	if (s == NULL) {
		fprintf(stderr, "%s: not a usable XML Schema\n", argv[1]);
		return 2;
	}
	for (i = 2; i < argc; i++)
		bad |= check_file(s, argv[i]);
	xmlSchemaFree(s);
	xmlCleanupParser();
	return bad;
}
