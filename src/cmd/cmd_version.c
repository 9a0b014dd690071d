/* cmd_version.c: version, library versions and configure options. */
#include "config.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <libssh2.h>
#include <libxml/xmlversion.h>
#include <yaml.h>

#include "cmd/cmd.h"

static int
run(struct mtv_opts *o)
{
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);

	printf("mtv-scenario %s\n", PACKAGE_VERSION);
	printf("libraries: libyaml %s, libcurl %s (%s), json-c %s, libssh2 %s, libxml2 %s\n",
	       yaml_get_version_string(), cv->version,
	       cv->ssl_version ? cv->ssl_version : "no TLS", json_c_version(),
	       libssh2_version(0), LIBXML_DOTTED_VERSION);
	printf("configured with: %s\n", MTV_CONFIGURE_OPTIONS[0] ? MTV_CONFIGURE_OPTIONS : "(defaults)");
	printf("data: %s (installed scenarios.d, schema, providers.yaml.example)\n",
	       cmd_datadir());
	return MTV_EXIT_PASS;
}

const struct cmd_spec cmd_version = {
	.name = "version",
	.summary = "show the version, the library versions, the configure options and the data folder",
	.synopsis = "",
	.mask = CMD_VERSION,
	.run = run,
};
