//! Counts the client's retries and the time it waited before them, without changing how
//! the application's own `tracing` subscriber sees anything.
//!
//! scaleway-core emits one INFO event per retry (fields `attempt`, `max_attempts`,
//! `delay_ms`). While a sync runs, its tasks use a dispatcher that forwards everything to
//! the dispatcher that was current when the sync started, and adds those delays up.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span;
use tracing::subscriber::Interest;
use tracing::{Dispatch, Event, Metadata, Subscriber};

/// Totals of one sync.
#[derive(Debug, Default)]
pub(crate) struct RetryCounters {
    pub(crate) retries: AtomicU64,
    pub(crate) wait_ms: AtomicU64,
}

struct RetryWatch {
    inner: Dispatch,
    inner_hint: Option<LevelFilter>,
    counters: Arc<RetryCounters>,
}

/// A dispatcher forwarding to the current one and counting retries into `counters`.
pub(crate) fn dispatch(counters: Arc<RetryCounters>) -> Dispatch {
    let inner = tracing::dispatcher::get_default(Dispatch::clone);
    let inner_hint = Some(LevelFilter::current());
    Dispatch::new(RetryWatch {
        inner,
        inner_hint,
        counters,
    })
}

fn is_retry_event(m: &Metadata<'_>) -> bool {
    m.is_event()
        && m.target().starts_with("scaleway_core")
        && m.fields().field("delay_ms").is_some()
}

struct DelayVisitor(Option<u64>);

impl Visit for DelayVisitor {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "delay_ms" {
            self.0 = Some(value);
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == "delay_ms" {
            self.0 = u64::try_from(value).ok();
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl Subscriber for RetryWatch {
    fn register_callsite(&self, m: &'static Metadata<'static>) -> Interest {
        let inner = self.inner.register_callsite(m);
        if is_retry_event(m) {
            Interest::always()
        } else {
            inner
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        self.inner_hint.map(|h| h.max(LevelFilter::INFO))
    }

    fn enabled(&self, m: &Metadata<'_>) -> bool {
        is_retry_event(m) || self.inner.enabled(m)
    }

    fn new_span(&self, attrs: &span::Attributes<'_>) -> span::Id {
        self.inner.new_span(attrs)
    }

    fn record(&self, span: &span::Id, values: &span::Record<'_>) {
        self.inner.record(span, values);
    }

    fn record_follows_from(&self, span: &span::Id, follows: &span::Id) {
        self.inner.record_follows_from(span, follows);
    }

    fn event(&self, event: &Event<'_>) {
        if is_retry_event(event.metadata()) {
            let mut v = DelayVisitor(None);
            event.record(&mut v);
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            self.counters
                .wait_ms
                .fetch_add(v.0.unwrap_or(0), Ordering::Relaxed);
        }
        if self.inner.enabled(event.metadata()) {
            self.inner.event(event);
        }
    }

    fn enter(&self, span: &span::Id) {
        self.inner.enter(span);
    }

    fn exit(&self, span: &span::Id) {
        self.inner.exit(span);
    }

    fn clone_span(&self, id: &span::Id) -> span::Id {
        self.inner.clone_span(id)
    }

    fn try_close(&self, id: span::Id) -> bool {
        self.inner.try_close(id)
    }
}
