/* emu_card.c - in-process card backend over the emulator; faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../card.h"
#include "emu.h"
#include "emu_card.h"

struct emu_be {
	struct emu *emu;
	struct emu_faults faults;
	unsigned long count;
	unsigned long ins_count[256];
	int removed;
};

/* "INS:N": an instruction byte in hex and a count from 1. */
static int
parse_ins(const char *v, int *ins, unsigned long *n)
{
	char *end;
	unsigned long i = strtoul(v, &end, 16);

	if (end == v || *end != ':' || i > 0xff || end[1] < '1' ||
	    end[1] > '9')
		return -1;
	*n = strtoul(end + 1, &end, 10);
	if (*end != '\0' || *n > 100000000UL)
		return -1;
	*ins = (int)i;
	return 0;
}

int
emu_faults_parse(const char *s, struct emu_faults *f)
{
	char buf[128], *tok, *save = NULL, *end;
	unsigned long v;

	memset(f, 0, sizeof(*f));
	f->remove_ins = f->exit_ins = f->sw_ins = -1;
	if (s == NULL || *s == '\0')
		return 0;
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return CUSTOS_ERR_FORMAT;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (eq == NULL || eq[1] == '\0')
			return CUSTOS_ERR_FORMAT;
		*eq = '\0';
		if (strcmp(tok, "remove-on") == 0 ||
		    strcmp(tok, "exit-after") == 0) {
			if (parse_ins(eq + 1, strcmp(tok, "remove-on") == 0 ?
			    &f->remove_ins : &f->exit_ins, strcmp(tok,
			    "remove-on") == 0 ? &f->remove_ins_n :
			    &f->exit_ins_n) != 0)
				return CUSTOS_ERR_FORMAT;
			continue;
		}
		if (strcmp(tok, "sw-on") == 0) {
			unsigned long ins = strtoul(eq + 1, &end, 16), sw;

			if (end == eq + 1 || *end != ':' || ins > 0xff)
				return CUSTOS_ERR_FORMAT;
			sw = strtoul(end + 1, &end, 16);
			if (*end != '\0' || sw < 0x6000 || sw > 0x6FFF)
				return CUSTOS_ERR_FORMAT;
			f->sw_ins = (int)ins;
			f->sw_val = (uint16_t)sw;
			continue;
		}
		if (eq[1] < '0' || eq[1] > '9')
			return CUSTOS_ERR_FORMAT;
		v = strtoul(eq + 1, &end, 10);
		if (*end != '\0' || v > 100000000UL)
			return CUSTOS_ERR_FORMAT;
		if (strcmp(tok, "kcv-after-login") == 0)
			f->kcv_after_login = v != 0;
		else if (strcmp(tok, "remove-at") == 0)
			f->remove_at = v;
		else if (strcmp(tok, "delay-ms") == 0)
			f->delay_ms = v;
		else if (strcmp(tok, "no-applet") == 0)
			f->no_applet = v != 0;
		else
			return CUSTOS_ERR_FORMAT;
	}
	return 0;
}

int
emu_faults_answer(const struct emu_faults *f, const uint8_t *cmd, size_t n,
    uint8_t *rsp, size_t cap, size_t *rlen)
{
	uint16_t sw;

	if (f == NULL || n < 4 || cap < 2)
		return 0;
	if (f->sw_ins >= 0 && cmd[1] == f->sw_ins) {
		rsp[0] = (uint8_t)(f->sw_val >> 8);
		rsp[1] = (uint8_t)f->sw_val;
		*rlen = 2;
		return 1;
	}
	if (!f->no_applet)
		return 0;
	/* A card with no SmartCard-HSM applet: SELECT by name finds
	 * nothing, and no proprietary class is known. */
	if (cmd[0] == 0x00 && cmd[1] == 0xA4 && cmd[2] == 0x04)
		sw = 0x6A82;
	else if (cmd[0] & 0x80)
		sw = 0x6E00;
	else
		sw = 0x6D00;
	rsp[0] = (uint8_t)(sw >> 8);
	rsp[1] = (uint8_t)sw;
	*rlen = 2;
	return 1;
}

static int
be_transmit(void *p, const uint8_t *cmd, size_t n, uint8_t *rsp,
    size_t cap, size_t *rlen)
{
	struct emu_be *be = p;
	int r;

	be->count++;
	if (n >= 2)
		be->ins_count[cmd[1]]++;
	if (be->removed || (be->faults.remove_at != 0 &&
	    be->count >= be->faults.remove_at) || (n >= 2 &&
	    be->faults.remove_ins == cmd[1] &&
	    be->ins_count[cmd[1]] >= be->faults.remove_ins_n)) {
		be->removed = 1;
		return CUSTOS_ERR_CARD_REMOVED;
	}
	if (be->faults.delay_ms > 0) {
		struct timespec ts = {
			(time_t)(be->faults.delay_ms / 1000),
			(long)(be->faults.delay_ms % 1000) * 1000000L
		};

		nanosleep(&ts, NULL);
	}
	if (emu_faults_answer(&be->faults, cmd, n, rsp, cap, rlen))
		return 0;
	r = emu_process(be->emu, cmd, n, rsp, cap, rlen);
	if (n >= 2 && be->faults.exit_ins == cmd[1] &&
	    be->ins_count[cmd[1]] == be->faults.exit_ins_n)
		_exit(137);	/* the card acted; nothing after it did */
	return r;
}

static void
be_close(void *p)
{
	struct emu_be *be = p;

	if (be == NULL)
		return;
	emu_free(be->emu);
	free(be);
}

static const struct card_backend emu_ops = {
	.transmit = be_transmit,
	.close = be_close,
};

int
emu_card_open(const char *name, struct card **out)
{
	struct emu_be *be;
	char reader[160];
	int r;

	*out = NULL;
	if ((be = calloc(1, sizeof(*be))) == NULL)
		return CUSTOS_ERR_NOMEM;
	if ((r = emu_faults_parse(getenv("CUSTOS_EMU_FAULTS"),
	    &be->faults)) != 0 || (r = emu_open(NULL, name, &be->emu)) != 0) {
		free(be);
		return r;
	}
	emu_set_kcv_after_login(be->emu, be->faults.kcv_after_login);
	snprintf(reader, sizeof(reader), "custos emulated SmartCard-HSM (%s)",
	    name);
	return card_new(&emu_ops, be, reader, 1, out);
}
