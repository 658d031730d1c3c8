//! What has been learnt about a unit once and is shared by the cases that need it. The store
//! knows no fact: each fact keys its own entry by its value type, so a new fact is one file in
//! `facts/` and nothing here changes.

use std::any::{Any, TypeId};
use std::future::Future;
use tokio::sync::OnceCell;

#[derive(Default)]
pub struct Learnt {
    /// Append-only, so a reference to an entry lives as long as the sample does.
    cells: elsa::sync::FrozenMap<TypeId, Box<dyn Any + Send + Sync>>,
}

impl Learnt {
    /// The value of type `T`, established by `establish` the first time anyone asks; callers
    /// asking at once wait for the one attempt.
    pub async fn get_or_establish<T, F, Fut>(&self, establish: F) -> &T
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = self
            .cells
            .insert_with(TypeId::of::<T>(), || Box::new(OnceCell::<T>::new()));
        let cell = cell
            .downcast_ref::<OnceCell<T>>()
            .expect("each entry is keyed by the TypeId of its own value type");
        cell.get_or_init(establish).await
    }

    /// The value of type `T` if it has been established, without establishing it.
    pub fn peek<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.cells
            .get(&TypeId::of::<T>())?
            .downcast_ref::<OnceCell<T>>()?
            .get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn each_fact_is_established_once_and_kept_apart_by_type() {
        let learnt = Learnt::default();
        let calls = AtomicUsize::new(0);
        let count = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            7u16
        };
        let (a, b) = tokio::join!(
            learnt.get_or_establish(count),
            learnt.get_or_establish(count)
        );
        assert_eq!((*a, *b), (7, 7));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let text = learnt
            .get_or_establish(|| async { String::from("other") })
            .await;
        assert_eq!(text, "other");
        assert_eq!(*learnt.get_or_establish(|| async { 9u16 }).await, 7);
        assert_eq!(learnt.peek::<u16>(), Some(&7));
        assert_eq!(learnt.peek::<u32>(), None);
    }
}
