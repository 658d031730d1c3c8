//! A scratch folder for unit tests, removed when dropped.

pub struct TestDir(pub std::path::PathBuf);

impl TestDir {
    pub fn new(tag: &str) -> TestDir {
        let p = std::env::temp_dir().join(format!(
            "hilt-{tag}-{}-{}",
            std::process::id(),
            crate::util::token::fresh()
        ));
        std::fs::create_dir_all(&p).unwrap();
        TestDir(p)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether the tests run as root: network namespaces and veth pairs need it (CI has it).
pub fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}
