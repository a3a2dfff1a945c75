/* vpcd.c - the vpcd wire protocol, card side. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../../common/secmem.h"
#include "emu.h"
#include "emu_card.h"
#include "vpcd.h"

#define VPCD_MAX (65536U + 16U)

static int
read_full(int fd, uint8_t *b, size_t n, volatile sig_atomic_t *stop)
{
	size_t got = 0;
	ssize_t k;
	int one = 1;

	while (got < n) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (*stop)
			return CUSTOS_ERR_CANCELLED;
		if (poll(&p, 1, 200) < 0) {
			if (errno == EINTR)
				continue;
			return CUSTOS_ERR_IO;
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		k = read(fd, b + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return got == 0 && k == 0 ? CUSTOS_ERR_CLOSED :
			    CUSTOS_ERR_IO;
		got += (size_t)k;
		/* vpcd sends a length and its APDU in two segments; without
		 * an immediate ACK the second waits for the delayed one
		 * (about 40 ms an APDU). Quick ACK mode is not sticky. */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof(one));
	}
	return 0;
}

/* Sends the length and the message in one segment (writev). */
static int
send_msg(int fd, const uint8_t *b, size_t n)
{
	uint8_t hdr[2] = { (uint8_t)(n >> 8), (uint8_t)n };
	struct iovec iov[2] = { { hdr, 2 }, { (void *)(uintptr_t)b, n } };
	size_t total = n + 2;
	ssize_t k;

	if (n > 0xffff)
		return CUSTOS_ERR_TOO_LARGE;
	while (total > 0) {
		k = writev(fd, iov, 2);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return CUSTOS_ERR_IO;
		total -= (size_t)k;
		/* A short write: move the vectors past what went. */
		while (k > 0) {
			size_t i = iov[0].iov_len > 0 ? 0 : 1;
			size_t take = (size_t)k < iov[i].iov_len ? (size_t)k :
			    iov[i].iov_len;

			iov[i].iov_base = (uint8_t *)iov[i].iov_base + take;
			iov[i].iov_len -= take;
			k -= (ssize_t)take;
		}
	}
	return 0;
}

static int
connect_vpcd(const char *host, unsigned port, unsigned connect_ms,
    volatile sig_atomic_t *stop)
{
	struct sockaddr_in sa;
	unsigned waited = 0;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return CUSTOS_ERR_INVALID_ARG;
	for (;;) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			return CUSTOS_ERR_IO;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(fd);
		if (*stop || waited >= connect_ms)
			return CUSTOS_ERR_NOT_FOUND;
		{
			struct timespec ts = { 0, 100 * 1000000L };

			nanosleep(&ts, NULL);
		}
		waited += 100;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int
vpcd_serve(struct emu *e, const char *host, unsigned port,
    unsigned connect_ms, const struct emu_faults *faults,
    volatile sig_atomic_t *stop)
{
	uint8_t hdr[2], *in = NULL, *out = NULL;
	unsigned long count = 0;
	size_t n, rl, atrlen;
	const uint8_t *atr = emu_atr(&atrlen);
	int fd, r;

	if ((fd = connect_vpcd(host, port, connect_ms, stop)) < 0)
		return fd;
	if (faults != NULL)
		emu_set_kcv_after_login(e, faults->kcv_after_login);
	in = malloc(VPCD_MAX);
	out = malloc(VPCD_MAX);
	if (in == NULL || out == NULL) {
		r = CUSTOS_ERR_NOMEM;
		goto out;
	}
	for (;;) {
		if ((r = read_full(fd, hdr, 2, stop)) != 0)
			break;
		n = ((size_t)hdr[0] << 8) | hdr[1];
		if ((r = read_full(fd, in, n, stop)) != 0)
			break;
		if (n == 1) {
			switch (in[0]) {
			case 0x00: case 0x01: case 0x02:	/* off/on/reset */
				emu_reset(e);
				break;
			case 0x04:
				r = send_msg(fd, atr, atrlen);
				break;
			}
			if (r != 0)
				break;
			continue;
		}
		if (faults != NULL && faults->remove_at != 0 &&
		    ++count >= faults->remove_at) {
			r = CUSTOS_ERR_CARD_REMOVED;
			break;
		}
		if (faults != NULL && faults->delay_ms > 0) {
			struct timespec ts = {
				(time_t)(faults->delay_ms / 1000),
				(long)(faults->delay_ms % 1000) * 1000000L
			};

			nanosleep(&ts, NULL);
		}
		/* A failed save is answered 6581 by the emulator itself. */
		if (!emu_faults_answer(faults, in, n, out, VPCD_MAX, &rl) &&
		    emu_process(e, in, n, out, VPCD_MAX, &rl) != 0 && rl == 0)
			break;
		r = send_msg(fd, out, rl);
		secmem_wipe(in, n);
		secmem_wipe(out, rl);
		if (r != 0)
			break;
	}
	if (r == CUSTOS_ERR_CLOSED || r == CUSTOS_ERR_CANCELLED)
		r = 0;
 out:
	if (in != NULL) {
		secmem_wipe(in, VPCD_MAX);
		free(in);
	}
	if (out != NULL) {
		secmem_wipe(out, VPCD_MAX);
		free(out);
	}
	close(fd);
	return r;
}
