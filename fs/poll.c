/* poll heads and entries (see poll.h). */
#include <kite/poll.h>

void poll_head_init(struct poll_head *h)
{
	spin_init(&h->lock);
	list_init(&h->entries);
}

void poll_wake(struct poll_head *h, unsigned events)
{
	unsigned long flags;
	spin_lock_irqsave(&h->lock, &flags);
	list_for_each_safe(pos, tmp, &h->entries) {
		struct poll_entry *e = list_entry(pos, struct poll_entry, node);
		e->wake(e, events);
	}
	spin_unlock_irqrestore(&h->lock, flags);
}

void poll_add(struct poll_head *h, struct poll_entry *e)
{
	unsigned long flags;
	spin_lock_irqsave(&h->lock, &flags);
	e->head = h;
	list_push_back(&h->entries, &e->node);
	spin_unlock_irqrestore(&h->lock, flags);
}

void poll_remove(struct poll_entry *e)
{
	struct poll_head *h = e->head;
	if (!h)
		return;
	unsigned long flags;
	spin_lock_irqsave(&h->lock, &flags);
	list_remove(&e->node);
	e->head = NULL;
	spin_unlock_irqrestore(&h->lock, flags);
}
