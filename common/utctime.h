/*
 * utctime.h - the one timestamp form custos writes and accepts:
 * UTC, YYYY-MM-DDTHH:MM:SSZ (20 characters).
 */
#ifndef CUSTOS_UTCTIME_H
#define CUSTOS_UTCTIME_H

#define UTCTIME_LEN 20

/* Writes the current UTC time into out (UTCTIME_LEN + 1 bytes). */
void utctime_now(char out[UTCTIME_LEN + 1]);

/* 1 when s has exactly the shape YYYY-MM-DDTHH:MM:SSZ, else 0. */
int utctime_valid(const char *s);

#endif
