// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ch.h"
#include "sender.h"

struct exp_sender {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool busy, quit;
	int accepted;		/* batches done since the last wait */
	struct exp_ch *ch;
	struct exp_buf insert, rows;	/* the batch in flight */
	int rc;
	char *err;
};

static void *sender_main(void *arg)
{
	struct exp_sender *tx = arg;

	pthread_mutex_lock(&tx->lock);
	for (;;) {
		char *err = NULL;
		int rc;

		while (!tx->busy && !tx->quit)
			pthread_cond_wait(&tx->cond, &tx->lock);
		if (tx->quit)
			break;
		pthread_mutex_unlock(&tx->lock);
		rc = exp_ch_insert(tx->ch, tx->insert.data, tx->rows.data, tx->rows.len, &err);
		pthread_mutex_lock(&tx->lock);
		if (rc < 0 && !tx->err) {
			tx->rc = rc;
			tx->err = err;
		} else {
			free(err);
			tx->accepted += rc == 0;
		}
		tx->busy = false;
		pthread_cond_broadcast(&tx->cond);
	}
	pthread_mutex_unlock(&tx->lock);
	return NULL;
}

int exp_sender_start(const char *url, const char *database, struct exp_sender **out, char **err)
{
	struct exp_sender *tx = calloc(1, sizeof(*tx));

	if (!tx) {
		*err = strdup("out of memory");
		return -1;
	}
	if (exp_ch_open(url, &tx->ch, err) < 0) {
		free(tx);
		return -1;
	}
	/* Rows reach the shards before the INSERT returns: the captures row means it. */
	if (exp_ch_set(tx->ch, "database", database) < 0 ||
	    exp_ch_set(tx->ch, "insert_distributed_sync", "1") < 0) {
		*err = strdup("out of memory");
		goto fail;
	}
	pthread_mutex_init(&tx->lock, NULL);
	pthread_cond_init(&tx->cond, NULL);
	if (pthread_create(&tx->thread, NULL, sender_main, tx)) {
		*err = strdup("cannot start the sending thread");
		pthread_mutex_destroy(&tx->lock);
		pthread_cond_destroy(&tx->cond);
		goto fail;
	}
	*out = tx;
	return 0;
fail:
	exp_ch_free(tx->ch);
	free(tx);
	return -1;
}

int exp_sender_wait_accepted(struct exp_sender *tx, int *accepted, char **err)
{
	int rc;

	pthread_mutex_lock(&tx->lock);
	while (tx->busy)
		pthread_cond_wait(&tx->cond, &tx->lock);
	rc = tx->rc;
	if (rc < 0) {
		*err = tx->err;
		tx->err = NULL;
		tx->rc = 0;
	}
	if (accepted)
		*accepted = tx->accepted;
	tx->accepted = 0;
	pthread_mutex_unlock(&tx->lock);
	return rc < 0 ? -1 : 0;
}

int exp_sender_send(struct exp_sender *tx, const char *insert, struct exp_buf *rows, char **err)
{
	struct exp_buf swap;
	int accepted;

	/* Only this thread touches tx->insert and tx->rows while nothing is in flight. */
	if (exp_sender_wait_accepted(tx, &accepted, err) < 0)
		return -1;
	tx->insert.len = 0;
	if (exp_buf_str(&tx->insert, insert) < 0) {
		*err = strdup("out of memory");
		return -1;
	}
	swap = tx->rows;
	tx->rows = *rows;
	*rows = swap;
	rows->len = 0;
	pthread_mutex_lock(&tx->lock);
	tx->accepted = accepted;	/* still to be told by the next wait */
	tx->busy = true;
	pthread_cond_broadcast(&tx->cond);
	pthread_mutex_unlock(&tx->lock);
	return 0;
}

struct exp_sender *exp_sender_stop(struct exp_sender *tx)
{
	if (!tx)
		return NULL;
	pthread_mutex_lock(&tx->lock);
	while (tx->busy)
		pthread_cond_wait(&tx->cond, &tx->lock);
	tx->quit = true;
	pthread_cond_broadcast(&tx->cond);
	pthread_mutex_unlock(&tx->lock);
	pthread_join(tx->thread, NULL);
	pthread_mutex_destroy(&tx->lock);
	pthread_cond_destroy(&tx->cond);
	exp_ch_free(tx->ch);
	exp_buf_free(&tx->insert);
	exp_buf_free(&tx->rows);
	free(tx->err);
	free(tx);
	return NULL;
}
