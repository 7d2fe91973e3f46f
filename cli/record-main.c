// SPDX-License-Identifier: MIT
/*
 * maptrail-record: "maptrail record" alone, for the build that links it
 * statically (cli/meson.build), so that one file copied onto an incident host
 * records there with nothing installed.  Everything but main() is the same
 * code as maptrail's record command.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cli.h"

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("maptrail-record %s (maptrail record, statically linked)\n", MAPTRAIL_VERSION);
		return 0;
	}
	return cmd_record(argc, argv);
}
