/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Physical interrupt dispatch and IPIs.  Owns the handler table (changed under irq_lock,
 * read locklessly by irq_dispatch: fn is published last with release order) and the per-CPU
 * IPI mailboxes (percpu ipi_pending, set atomically by senders, swapped to 0 by the owner).
 * The interrupt controller itself is the irqchip driver's business.
 */
#include <hyp/arch/cpu.h>
#include <hyp/console.h>
#include <hyp/errno.h>
#include <hyp/irq.h>
#include <hyp/percpu.h>
#include <hyp/smp.h>
#include <hyp/spinlock.h>
#include <hyp/timer.h>

struct irq_desc {
    irq_handler_fn fn;
    void *ctx;
};

/* Per-CPU IPI statistics, a cache line each so CPUs do not share lines. */
struct ipi_stats {
    uint64_t received[IPI_KINDS];
} __aligned(64);

static struct irq_desc irq_table[IRQ_MAX];
static struct spinlock irq_lock = SPINLOCK_INIT;
static struct ipi_stats ipi_stats[MAX_CPUS];
static uint64_t unhandled;

int irq_register(unsigned irq, irq_handler_fn fn, void *ctx)
{
    if (irq >= IRQ_MAX || !fn)
        return -EINVAL;
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    int rc = -EBUSY;
    if (!irq_table[irq].fn) {
        irq_table[irq].ctx = ctx;
        __atomic_store_n(&irq_table[irq].fn, fn, __ATOMIC_RELEASE);
        rc = 0;
    }
    spin_unlock_irqrestore(&irq_lock, flags);
    return rc;
}

void irq_unregister(unsigned irq)
{
    if (irq >= IRQ_MAX)
        return;
    irqchip_disable(irq, cpu_id());
    unsigned long flags = spin_lock_irqsave(&irq_lock);
    __atomic_store_n(&irq_table[irq].fn, NULL, __ATOMIC_RELEASE);
    irq_table[irq].ctx = NULL;
    spin_unlock_irqrestore(&irq_lock, flags);
}

uint64_t irq_unhandled_count(void)
{
    return __atomic_load_n(&unhandled, __ATOMIC_RELAXED);
}

void irq_dispatch(void)
{
    for (;;) {
        unsigned irq = irqchip_ack();
        if (irq >= IRQ_MAX)
            break; /* spurious: nothing (more) pending */
        irq_handler_fn fn = __atomic_load_n(&irq_table[irq].fn, __ATOMIC_ACQUIRE);
        enum irq_end end = IRQ_EOI;
        if (likely(fn)) {
            end = fn(irq, irq_table[irq].ctx);
        } else {
            /* Nobody asked for it: switch it off so it cannot storm. */
            irqchip_disable(irq, cpu_id());
            if (__atomic_fetch_add(&unhandled, 1, __ATOMIC_RELAXED) < 10)
                pr_warn("irq: line %u on CPU%u has no handler; disabled\n", irq, cpu_id());
        }
        if (end == IRQ_FORWARDED)
            irqchip_priority_drop(irq);
        else
            irqchip_eoi(irq);
    }
}

void ipi_send(unsigned cpu, enum ipi_kind kind)
{
    BUG_ON(cpu >= MAX_CPUS || (unsigned)kind >= IPI_KINDS);
    __atomic_fetch_or(&percpu_data[cpu].ipi_pending, 1u << kind, __ATOMIC_RELEASE);
    irqchip_send_sgi(cpu, IRQ_IPI);
}

uint64_t ipi_received(unsigned cpu, enum ipi_kind kind)
{
    if (cpu >= MAX_CPUS || (unsigned)kind >= IPI_KINDS)
        return 0;
    return __atomic_load_n(&ipi_stats[cpu].received[kind], __ATOMIC_RELAXED);
}

static enum irq_end ipi_handler(unsigned irq, void *ctx)
{
    struct percpu *pc = this_cpu();
    uint32_t pending = __atomic_exchange_n(&pc->ipi_pending, 0, __ATOMIC_ACQUIRE);
    uint64_t *count = ipi_stats[pc->id].received;
    for (unsigned kind = 0; kind < IPI_KINDS; kind++)
        if (pending & (1u << kind))
            __atomic_store_n(&count[kind], count[kind] + 1, __ATOMIC_RELAXED);
    if (pending & (1u << IPI_TIMER))
        timer_handle_ipi();
    if (pending & (1u << IPI_CALL))
        smp_call_handle();
    if (pending & (1u << IPI_STOP))
        smp_stop_this_cpu();
    /* IPI_RESCHEDULE, IPI_WAKE: taking the interrupt was the point (it ends WFI or makes a
     * running guest exit, and the run loop then looks at the scheduler's flags). */
    return IRQ_EOI;
}

void irq_init(void)
{
    irqchip_init();
    if (irq_register(IRQ_IPI, ipi_handler, NULL))
        panic("irq: IPI line %u taken", IRQ_IPI);
}

void irq_init_cpu(void)
{
    irqchip_init_cpu();
    irqchip_enable(IRQ_IPI, cpu_id());
}
