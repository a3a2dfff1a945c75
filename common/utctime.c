/* utctime.c - UTC timestamps in the one form custos uses. */
#include <string.h>
#include <time.h>

#include "utctime.h"

void
utctime_now(char out[UTCTIME_LEN + 1])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, UTCTIME_LEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
utctime_valid(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return 0;
	return 1;
}
