//! The project's codebook file (`codebook.toml` in the project root): reading, atomic
//! writing, and the edits of codes: those that touch codings too (rename, merge, delete)
//! and those that change only the file (create, move, recolour, describe).
//!
//! The file is the researcher's to edit; the store keeps codings. Edits that touch both
//! update the store in one transaction first and then replace the file atomically, so an
//! interrupted edit is finished by running the same command again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ambit_coding::Codebook;
use ambit_store::{CodingFilter, Project};

use crate::error::{Error, Result};

/// The codebook file inside a project.
pub const CODEBOOK_FILE: &str = "codebook.toml";

/// The path of a project's codebook.
pub fn codebook_path(project: &Project) -> PathBuf {
    project.root.join(CODEBOOK_FILE)
}

/// Reads and validates a codebook file.
pub fn read_codebook(path: &Path) -> Result<Codebook> {
    let src = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Codebook::parse(&src).map_err(|source| Error::Codebook {
        path: path.to_path_buf(),
        source,
    })
}

/// The project's codebook, with a hint when there is none yet.
pub fn load_codebook(project: &Project) -> Result<Codebook> {
    let path = codebook_path(project);
    if !path.is_file() {
        return Err(Error::Request(format!(
            "this project has no codebook ({} is missing); start one with \
             `ambit codebook init --template ambidexterity` or `ambit codebook import FILE`",
            path.display()
        )));
    }
    read_codebook(&path)
}

/// Writes a codebook's TOML source atomically (temporary file, then rename).
pub fn write_codebook_source(project: &Project, src: &str) -> Result<()> {
    let path = codebook_path(project);
    let tmp = project.root.join(format!(".{CODEBOOK_FILE}.tmp"));
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Io { path: p, source }
    };
    std::fs::write(&tmp, src).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &path).map_err(io(&path))?;
    // A team store keeps the codebook for every coder: the edit is theirs at their next
    // command.
    project.share_codebook(src)?;
    Ok(())
}

/// Writes a codebook atomically.
pub fn save_codebook(project: &Project, codebook: &Codebook) -> Result<()> {
    let src = codebook.to_toml()?;
    write_codebook_source(project, &src)
}

/// Renames a code (and its dotted descendants) in the codebook and in every coding.
/// Returns how many codings changed.
pub fn rename_code(project: &mut Project, old: &str, new: &str) -> Result<u64> {
    let mut cb = load_codebook(project)?;
    let mapping = cb.rename(old, new)?;
    let olds: Vec<String> = mapping.iter().map(|(o, _)| o.clone()).collect();
    crate::qdpx::pin_code_guids(project, &olds)?;
    let n = project.store.recode(&mapping)?;
    save_codebook(project, &cb)?;
    Ok(n)
}

/// Merges code `from` into `into`: its codings move to `into`, the code goes.
pub fn merge_code(project: &mut Project, from: &str, into: &str) -> Result<u64> {
    let mut cb = load_codebook(project)?;
    cb.merge(from, into)?;
    crate::qdpx::pin_code_guids(project, &[into.to_string()])?;
    let n = project
        .store
        .recode(&[(from.to_string(), into.to_string())])?;
    save_codebook(project, &cb)?;
    Ok(n)
}

/// Deletes a code. With codings, refused unless `force`; returns how many codings went.
/// A code the codebook no longer has but codings still carry (orphaned by an import) can
/// be deleted the same way, which removes those codings.
pub fn delete_code(project: &mut Project, id: &str, force: bool) -> Result<u64> {
    let mut cb = load_codebook(project)?;
    let orphan = !cb.contains(id) && orphaned_codings(project, &cb)?.iter().any(|(c, _)| c == id);
    if !orphan {
        cb.remove(id)?;
    }
    let ids = vec![id.to_string()];
    let count = project
        .store
        .codings(&CodingFilter {
            codes: ids.clone(),
            // Detached codings are deleted with the code too: they are counted first.
            detached: true,
            ..Default::default()
        })?
        .len() as u64;
    if count > 0 && !force {
        return Err(Error::Request(format!(
            "code `{id}` has {count} coding(s); pass --force to delete the code and its codings"
        )));
    }
    let n = project.store.delete_codings_of(&ids)?;
    if !orphan {
        save_codebook(project, &cb)?;
    }
    Ok(n)
}

/// Applies `edit` to the project's codebook and writes the file atomically, or, when the
/// edit is refused, leaves the file as it was. For edits that touch no codings: several
/// changes of one code (a form in the web app) land in one write.
pub fn edit_codebook(
    project: &Project,
    edit: impl FnOnce(&mut Codebook) -> ambit_coding::Result<()>,
) -> Result<()> {
    let mut cb = load_codebook(project)?;
    edit(&mut cb)?;
    save_codebook(project, &cb)
}

/// Creates code `id` named `name` under `parent` (default: the parent its dotted id
/// implies, else the top level).
pub fn create_code(project: &Project, id: &str, name: &str, parent: Option<&str>) -> Result<()> {
    edit_codebook(project, |cb| cb.add_code(id, name, parent))
}

/// Moves code `id` under `parent` (`None`: to the top level). Codings keep their code id.
pub fn move_code(project: &Project, id: &str, parent: Option<&str>) -> Result<()> {
    edit_codebook(project, |cb| cb.set_parent(id, parent))
}

/// Sets or clears a code's colour.
pub fn recolour_code(project: &Project, id: &str, color: Option<&str>) -> Result<()> {
    edit_codebook(project, |cb| cb.set_color(id, color))
}

/// Codings whose code the codebook lacks, as `(code, codings)` in code order: tables do not
/// count them and rules never replace them, so they must be seen.
pub fn orphaned_codings(project: &Project, cb: &Codebook) -> Result<Vec<(String, u64)>> {
    // Detached codings too: they point at no text, but they are a researcher's work.
    let all = project.store.codings(&CodingFilter {
        detached: true,
        ..CodingFilter::default()
    })?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for c in all.iter().filter(|c| !cb.contains(&c.code)) {
        *counts.entry(c.code.clone()).or_default() += 1;
    }
    Ok(counts.into_iter().collect())
}

/// What `ambit codebook import` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodebookImport {
    /// Codes in the imported codebook.
    pub codes: usize,
    /// Codings left pointing at codes the new codebook lacks (only with `force`).
    pub orphaned: Vec<(String, u64)>,
}

/// Makes `file` the project's codebook. Refused when codings would be left pointing at
/// codes it lacks, unless `force`, which keeps those codings (listed by `ambit codebook
/// check`) and reports them.
pub fn import_codebook(project: &Project, file: &Path, force: bool) -> Result<CodebookImport> {
    let cb = read_codebook(file)?;
    let src = std::fs::read_to_string(file).map_err(|source| Error::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let orphaned = orphaned_codings(project, &cb)?;
    if !orphaned.is_empty() && !force {
        return Err(Error::WouldOrphan {
            file: file.to_path_buf(),
            codes: orphaned,
        });
    }
    write_codebook_source(project, &src)?;
    Ok(CodebookImport {
        codes: cb.codes().len(),
        orphaned,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const CODEBOOK: &str = "[codebook]\nname = \"T\"\n\n[[code]]\nid = \"kb\"\nname = \"Boundaries\"\n\n[[code]]\nid = \"kb.semantic\"\nname = \"Semantic\"\n\n[[code]]\nid = \"su\"\nname = \"Shared\"\n";

    fn project() -> (tempfile::TempDir, Project) {
        let dir = tempfile::tempdir().unwrap();
        let project = Project::init(dir.path(), "T").unwrap();
        write_codebook_source(&project, CODEBOOK).unwrap();
        (dir, project)
    }

    #[test]
    fn file_edits_are_written_and_read_back() {
        let (_dir, project) = project();
        create_code(&project, "kb.pragmatic", "Pragmatic", None).unwrap();
        move_code(&project, "su", Some("kb.semantic")).unwrap();
        recolour_code(&project, "kb", Some("#4477AA")).unwrap();
        edit_codebook(&project, |cb| {
            cb.set_name("su", "Shared understanding")?;
            cb.set_description("su", "Carlile 2004")
        })
        .unwrap();
        let cb = load_codebook(&project).unwrap();
        let ids: Vec<&str> = cb.codes().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["kb", "kb.semantic", "kb.pragmatic", "su"]);
        assert_eq!(
            cb.code("su").unwrap().parent.as_deref(),
            Some("kb.semantic")
        );
        assert_eq!(cb.code("su").unwrap().name, "Shared understanding");
        assert_eq!(cb.code("kb").unwrap().color.as_deref(), Some("#4477AA"));
    }

    #[test]
    fn a_refused_edit_leaves_the_file_as_it_was() {
        let (_dir, project) = project();
        let before = std::fs::read(codebook_path(&project)).unwrap();
        let err = edit_codebook(&project, |cb| {
            cb.set_name("su", "Renamed")?;
            cb.set_color("su", Some("blue"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("bad colour `blue`"), "{err}");
        assert!(move_code(&project, "kb", Some("kb.semantic")).is_err());
        assert_eq!(std::fs::read(codebook_path(&project)).unwrap(), before);
    }
}
