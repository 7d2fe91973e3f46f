// SPDX-License-Identifier: MIT
#include <strings.h>

#include "db-identity.h"

int cmn_severity_rank(const char *severity)
{
	static const char *const ranks[] = { "info", "low", "medium", "high" };

	for (int i = 0; severity && i < 4; i++)
		if (!strcasecmp(severity, ranks[i]))
			return i;
	return -1;
}
